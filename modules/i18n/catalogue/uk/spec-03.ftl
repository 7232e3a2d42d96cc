# Специфікації модуля 03: пояснення, які дає перевірка, що не проходить.

## Пояснення специфікацій

spec-03-request = коректний запит
spec-03-router = маршрутизатор не завершується помилкою
spec-03-body = тіло відповіді
spec-03-first-with = перша — `{ $error }`
spec-03-1-first-stored = перший голос ann в опитуванні { $poll } має бути збережено, а отримано помилку `{ $error }`
spec-03-1-returned = ann проголосувала за варіант { $option } в опитуванні { $poll }, а повернуто голос { $vote }
spec-03-1-returned-stored = повернутий голос має бути тим, що збережено
spec-03-1-same-option = той самий варіант
spec-03-1-another-option = інший варіант
spec-03-1-second-unchanged = другий голос ann, за { $what }, має бути AlreadyVoted із голосом, що зараховано, незміненим ({ $vote }): ON CONFLICT DO NOTHING, а не DO UPDATE
spec-03-1-second-refused = другий голос ann в опитуванні { $poll }, за { $what }, має бути відхилено з AlreadyVoted, що називає її голос { $id }, а отримано { $got }
spec-03-1-first-only = після другого й третього голосу ann в опитуванні має лишитися тільки її перший голос, незмінений: ON CONFLICT DO NOTHING, а не DO UPDATE (зміна голосу — це вправа 03.2, а не дублікат)
spec-03-1-bob = голос bob у тому самому опитуванні має бути зараховано, а отримано { $got }
spec-03-1-other-poll = голос ann в іншому опитуванні має бути зараховано: один голос на виборця в кожному опитуванні, а отримано { $got }
spec-03-1-foreign-option = варіант з іншого опитування
spec-03-1-no-poll = опитування, якого не існує
spec-03-1-unknown-option = голос за { $what } (опитування { $poll }, варіант { $option }) має бути UnknownOption { "{" } poll: { $poll }, option: { $option } { "}" }, а отримано { $got } (зовнішній ключ (foreign key) відхиляє його з SQLSTATE 23503)
spec-03-1-two-votes = в опитуванні { $poll } мають бути голоси ann і bob, і більше нічого
spec-03-1-count-once = раунд { $round }: { $votes } { $votes ->
        [one] голос
        [few] голоси
       *[other] голосів
    } { $voter } одночасно: зараховано — { $counted }, AlreadyVoted — { $duplicates }, з помилкою — { $failed }{ $first }; збережено — { $stored }. Зарахувати треба рівно один, а решті { $others } відповісти AlreadyVoted: INSERT ... ON CONFLICT (poll_id, voter) DO NOTHING, а коли нічого не вставлено, прочитайте голос, що вже є
spec-03-1-stored-counted = раунд { $round }: збережений голос має бути тим, про який відповіли, що його зараховано
spec-03-1-names-other = раунд { $round }: на дублікат відповіли AlreadyVoted із голосом { $other }, а зараховано голос { $winner }: називайте той голос, що збережено
spec-03-1-created = POST { $uri } { $body } має відповідати 201, а отримано { $status } { $answer }
spec-03-1-id-in-body = id голосу в тілі відповіді 201
spec-03-1-conflict = другий голос ann має відповідати 409 problem+json, що називає її голос { $id }, а отримано { $status } { $answer }
spec-03-1-bad-json = некоректний JSON
spec-03-1-no-option = тіло без варіанта
spec-03-1-empty-voter = порожній виборець
spec-03-1-unknown-poll = невідоме опитування
spec-03-1-poll-not-number = id опитування, що не є числом
spec-03-1-bad-input = { $what } (POST { $uri } { $body }) має відповідати 4xx у форматі problem+json, а отримано { $status } { $answer }
spec-03-2-ann-first = перший голос ann
spec-03-2-ann-same = голос ann за варіант, за який вона вже проголосувала
spec-03-2-ann-to-dog = перенесення голосу ann на dog
spec-03-2-bob-first = перший голос bob
spec-03-2-ann-to-fish = перенесення голосу ann на fish
spec-03-2-answer = { $what }: відповідь має бути { $expected }, а отримано { $got }
spec-03-2-tallies = після кроку «{ $what }» підсумки cat, dog, fish мають бути { $expected }
spec-03-2-unknown-option = голос за варіант з іншого опитування має бути UnknownOption, а отримано { $got }
spec-03-2-refused-no-tally = відхилений голос не повинен змінювати жодного підсумку (відкотіть транзакцію)
spec-03-2-drifted-option = варіант { $option }: підсумок { $tally }, голосів { $votes }
spec-03-2-drifted = раунд { $round }: після { $casts } одночасних голосувань { $voters } { $voters ->
        [one] виборця
       *[other] виборців
    } підсумки розійшлися з голосами ({ $drifted }): читайте голос, який переносите, під блокуванням (SELECT ... FOR UPDATE, після INSERT ... ON CONFLICT DO NOTHING), у тій самій транзакції, що змінює підсумки
spec-03-2-failed = раунд { $round }: { $failed } з { $casts } одночасних голосувань завершилися помилкою, перша — `{ $first }`
spec-03-2-deadlock = транзакції чекали на блокування одна одної (PostgreSQL потребує секунди, щоб знайти кожне взаємне блокування (deadlock), а голосування за ними чекають на з'єднання). Дві зміни, що блокують ті самі два підсумки в протилежному порядку, блокують одна одну: оновлюйте підсумки в одному порядку, спершу варіант із меншим id
spec-03-2-news = раунд { $round }: { $news } { $news ->
        [one] голосування отримало
        [few] голосування отримали
       *[other] голосувань отримали
    } відповідь New на { $voters } { $voters ->
        [one] виборця
       *[other] виборців
    }: New — це перший голос кожного виборця, і лише він
spec-03-3-drift = { $when }, лічильник { $post } показує { $counter } { $counter ->
        [one] лайк
        [few] лайки
       *[other] лайків
    }, а в його множині { $size } { $size ->
        [one] користувач
        [few] користувачі
       *[other] користувачів
    }: лічильник має змінюватися лише тоді, коли змінюється множина (SADD чи SREM повернули 1), в тій самій команді
spec-03-3-ann-like = лайк від ann
spec-03-3-ann-like-again = другий лайк від ann (повторений PUT): два лайки рахуються як один
spec-03-3-bob-like = лайк від bob
spec-03-3-cy-unlike = зняття лайка від cy, який його не ставив: нічого не змінює
spec-03-3-ann-unlike = зняття лайка від ann
spec-03-3-ann-unlike-again = друге зняття лайка від ann (повторений DELETE): нічого не змінює
spec-03-3-ann-likes-back = знову лайк від ann
spec-03-3-bob-unlike = зняття лайка від bob
spec-03-3-count = після кроку «{ $what }» кількість має бути { $expected }
spec-03-3-after = після кроку «{ $what }»
spec-03-3-count-reads = count читає лічильник: 1
spec-03-3-nobody = допис, який ніхто не лайкнув, має 0
spec-03-3-hundred = раунд { $round }: 100 лайків { $post } від ann одночасно: лічильник показує { $counter }, у множині { $size }, а відповіді були від { $min } до { $max }; усе має дорівнювати 1: два лайки рахуються як один
spec-03-3-after-toggles = раунд { $round }: після { $calls } одночасних лайків і знять лайка
spec-03-3-sent-nothing = виклик нічого не надіслав у Redis за 5 с
spec-03-3-proxy = з'єднання через проксі, що призупиняє
spec-03-3-pause = виклик { $action } від ann призупинився між двома своїми командами, а в проміжку виконався інший { $action } від ann: вони відповіли { $late } і { $between }, лічильник показує { $counter }, а в множині { $size }; усе має дорівнювати { $expected }. Перевіряйте й дійте однією командою: Lua-скрипт, що виконує SADD (чи SREM) і змінює лічильник, лише якщо той повернув 1
spec-03-3-after-crash = після того як клієнт загинув між першою і другою командою { $action }
spec-03-4-ann-first = перша заявка ann, о 23:30 за місцевим часом
spec-03-4-ann-second = друга заявка ann, о 23:30 за місцевим часом
spec-03-4-at-23-59-59 = заявка о 23:59:59 за місцевим часом
spec-03-4-at-00-00-00 = заявка о 00:00:00 за місцевим часом, новий день
spec-03-4-at-00-00-01 = заявка о 00:00:01 за місцевим часом
spec-03-4-next-midnight = заявка наступної півночі
spec-03-4-bob-22 = заявка bob о 22:00 за місцевим часом (03:00 UTC, наступна доба за UTC)
spec-03-4-bob-23-59-59 = заявка bob о 23:59:59 за місцевим часом
spec-03-4-bob-00 = заявка bob о 00:00 за місцевим часом (05:00 UTC, та сама доба за UTC, що й його перша)
spec-03-4-cy-18 = заявка cy о 18:00 за місцевим часом (23:00 UTC)
spec-03-4-cy-20 = заявка cy о 20:00 за місцевим часом (01:00 UTC, наступна доба за UTC)
spec-03-4-forward-00-30 = заявка о 00:30 в день, коли годинники переводять вперед
spec-03-4-forward-again = друга заявка о 00:30 в день, коли годинники переводять вперед
spec-03-4-at-23-59 = заявка о 23:59 того самого дня
spec-03-4-midnight-22-utc = заявка наступної півночі (22:00 UTC)
spec-03-4-back-00-30 = заявка о 00:30 в день, коли годинники переводять назад
spec-03-4-back-again = друга заявка о 00:30 в день, коли годинники переводять назад
spec-03-4-midnight-23-utc = заявка наступної півночі (23:00 UTC)
spec-03-4-wallet = { $what }: заявку задоволено, тож у гаманці має бути { $granted } { $granted ->
        [one] винагорода
        [few] винагороди
       *[other] винагород
    }
spec-03-4-retry-after = { $what } (пояс { $zone }): Retry-After має бути { $expected } с ({ $expected_hms }), час до наступної місцевої півночі, а отримано { $got } с ({ $got_hms })
spec-03-4-hour-off = розбіжність на годину, в день, коли змінюється зміщення (UTC offset). Зміщення наступної півночі — це зміщення в ту північ, а не теперішнє
spec-03-4-granted = { $what } (пояс { $zone }): заявку має бути задоволено, а отримано { $got }
spec-03-4-refused = { $what } (пояс { $zone }): заявку має бути відхилено з AlreadyClaimed { "{" } retry_after: { $secs } { "}" }, а отримано { $got }
spec-03-4-one-per-claim = у гаманці { $user } має бути одна винагорода за кожну задоволену заявку
spec-03-4-one-a-day = день { $day }: { $claims } { $claims ->
        [one] заявка
        [few] заявки
       *[other] заявок
    } dora одночасно: задоволено — { $granted }, відхилено з Retry-After 43200 — { $refused }, з помилкою — { $failed }{ $first }; у її гаманці { $coins } { $coins ->
        [one] монета
        [few] монети
       *[other] монет
    }, тобто { $rewards } { $rewards ->
        [one] винагорода
        [few] винагороди
       *[other] винагород
    }. Платити може рівно одна заявка на день: вставляйте заявку з ON CONFLICT DO NOTHING і поповнюйте гаманець, лише якщо її вставлено, в одній транзакції
spec-03-4-first-200 = перша заявка має відповідати 200, а отримано { $status } { $answer }
spec-03-4-second-429 = друга заявка о 23:00 за місцевим часом має відповідати 429 problem+json з Retry-After: 3600, а отримано { $status } (Retry-After { $retry_after }) { $answer }
spec-03-4-control-char = ім'я користувача з керівним символом має відповідати 4xx у форматі problem+json, а отримано { $status } { $answer }
spec-03-5-uses-left = лишилося використань: { $left }
spec-03-5-ann-twice = погашення ann купона на 2 використання
spec-03-5-ann-again = друге погашення ann
spec-03-5-bob-last = погашення bob, останнє використання
spec-03-5-cy-used-up = погашення cy вичерпаного купона
spec-03-5-ann-used-up = погашення ann вичерпаного купона, який вона вже погасила
spec-03-5-unknown = погашення купона, якого не існує
spec-03-5-cy-once = погашення cy одноразового купона
spec-03-5-dan-used = погашення dan використаного одноразового купона
spec-03-5-cy-once-again = друге погашення cy одноразового купона
spec-03-5-answer = { $what } (купон { $code }, { $redeemer }): відповідь має бути { $expected }, а отримано { $got }
spec-03-5-state = купон { $code } має показувати { $uses } { $uses ->
        [one] використання
        [few] використання
       *[other] використань
    } і { $uses } { $uses ->
        [one] погашення
        [few] погашення
       *[other] погашень
    }, а отримано { $state }: відхилене погашення не повинне лишати ні використання, ні рядка
spec-03-5-limit = { $round }: { $tries } погашень { $code }, купона на { $max } { $max ->
        [one] використання
        [few] використання
       *[other] використань
    }, одночасно: задоволено — { $granted }, відхилено з помилкою бази даних — { $errors }{ $first }; купон показує використань — { $uses }, рядків погашення — { $rows }. Задовольнити треба рівно { $max }, не більше (один умовний UPDATE ... SET uses = uses + 1 WHERE code = $1 AND uses < max_uses, а не підрахунок, а потім вставка) і не менше
spec-03-5-first = перша: `{ $error }`
spec-03-5-round = раунд { $round }
spec-03-5-crowd = 20 користувачів x 10
spec-03-5-told = { $round }: { $max } задоволеним погашенням сказали, що використань лишилося { $told }; кожному треба сказати інше число, від { $top } до 0 (RETURNING max_uses - uses)
spec-03-5-used-up = { $round }: кожне погашення понад ліміт має бути UsedUp
spec-03-5-ann-only = 50 погашень ANN-ONLY (10 використань) від ann одночасно: задоволено — { $granted }, AlreadyRedeemed — { $again }, інших відповідей — { $others } (наприклад, { $example }); купон показує використань — { $uses }, рядків — { $rows }. Задовольнити треба одне, 49 — AlreadyRedeemed, і витратити одне використання: відхилений дублікат не повинен витрачати використання (вставка й UPDATE в одній транзакції)
spec-03-5-none = немає
spec-03-5-per-user = 20 користувачів погасили CROWD по 10 разів кожен, одночасно: { $granted } { $granted ->
        [one] погашення задоволено
        [few] погашення задоволено
       *[other] погашень задоволено
    } для { $users } { $users ->
        [one] користувача
       *[other] користувачів
    }: щонайбільше одне на користувача


## Назви перевірок (назви тестів специфікації); де перекладу немає, назва англійською

exercise-03-1-check-each_answer = кожна відповідь
exercise-03-1-check-identical_votes_count_once = однакові голоси зараховуються один раз
exercise-03-1-check-a_duplicate_answers_409 = дублікат отримує 409
exercise-03-2-check-each_answer = кожна відповідь
exercise-03-2-check-tallies_follow_concurrent_changes = підсумки встигають за одночасними змінами
exercise-03-3-check-like_twice_counts_once = два лайки рахуються як один
exercise-03-3-check-concurrent_toggles_never_drift = одночасні перемикання не розводять лічильник і множину
exercise-03-3-check-a_pause_between_two_commands_changes_nothing = пауза між двома командами нічого не змінює
exercise-03-3-check-a_crash_between_two_commands_leaves_no_drift = збій між двома командами не лишає розбіжності
exercise-03-4-check-second_claim_waits_for_local_midnight = друга заявка чекає місцевої півночі
exercise-03-4-check-the_day_is_the_local_day = доба — це місцева доба
exercise-03-4-check-a_change_of_utc_offset = зміна зміщення від UTC
exercise-03-4-check-one_claim_under_concurrency = одна заявка за одночасних запитів
exercise-03-4-check-a_second_claim_answers_429 = друга заявка отримує 429
exercise-03-5-check-each_answer = кожна відповідь
exercise-03-5-check-two_hundred_redeem_ten_uses = двісті погашають десять використань
exercise-03-5-check-one_redemption_per_user = одне погашення на користувача
