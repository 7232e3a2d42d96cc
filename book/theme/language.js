// The language switcher in the page's header: the same page in the other
// language. The English book is at the root of the build, each translation in
// a folder named by its language (`uk/`), built from the same sources
// (`cargo xtask book --language uk`). mdBook gives every page `path_to_root`.
(function () {
    'use strict';

    const LANGUAGES = [['en', 'English'], ['uk', 'Українська']];
    const current = document.documentElement.lang || 'en';
    const root = new URL(path_to_root || './', window.location.href);
    const page = window.location.href.slice(root.href.length);
    // The English root: a translation's root is one folder down from it.
    const english = current === 'en' ? root : new URL('../', root);

    const buttons = document.querySelector('.right-buttons');
    if (!buttons) {
        return;
    }
    const nav = document.createElement('span');
    nav.className = 'language-switcher';
    for (const [code, name] of LANGUAGES) {
        if (code === current) {
            continue;
        }
        const link = document.createElement('a');
        link.href = new URL((code === 'en' ? '' : code + '/') + page, english).href;
        link.hreflang = code;
        link.lang = code;
        link.textContent = name;
        link.title = name;
        nav.appendChild(link);
    }
    buttons.prepend(nav);
})();
