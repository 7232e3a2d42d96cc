// Renders the book's ```mermaid blocks (the runner's preprocessor turns each
// into <pre class="mermaid">) with the vendored mermaid.min.js, loaded before
// this file (book.toml, output.html.additional-js).
//
// mdBook marks its current theme with a class on <html>: light, rust, coal,
// navy or ayu. The last three are dark, and get mermaid's 'dark' theme. When
// the reader switches between a light and a dark theme, the diagrams are drawn
// again from their source.
(function () {
    'use strict';

    const DARK_THEMES = ['coal', 'navy', 'ayu'];
    const html = document.documentElement;

    function isDark() {
        return DARK_THEMES.some((theme) => html.classList.contains(theme));
    }

    // Keep each diagram's source before mermaid replaces it with an SVG.
    const diagrams = Array.from(document.querySelectorAll('pre.mermaid'));
    const sources = diagrams.map((pre) => pre.textContent);

    let dark = isDark();
    mermaid.initialize({
        startOnLoad: true,
        theme: dark ? 'dark' : 'default',
    });

    new MutationObserver(() => {
        if (isDark() === dark) {
            return;
        }
        dark = isDark();
        mermaid.initialize({
            startOnLoad: false,
            theme: dark ? 'dark' : 'default',
        });
        diagrams.forEach((pre, i) => {
            pre.removeAttribute('data-processed');
            pre.textContent = sources[i];
        });
        mermaid.run({ nodes: diagrams }).catch((error) => console.error(error));
    }).observe(html, { attributes: true, attributeFilter: ['class'] });
})();
