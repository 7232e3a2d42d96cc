# Специфікації модуля 02: пояснення, які дає перевірка, що не проходить.

## Пояснення специфікацій

spec-02-1-new = ключ, якого ще не бачили, — це New: тепер заявка (claim) належить викликачеві
spec-02-1-in-flight = повтор (retry), поки перший запит ще працює, має отримати InFlight, а не New: з New робота виконується двічі
spec-02-1-mismatch-in-flight = ключ запиту, що ще в роботі, надісланий з іншим тілом, — це повторно використаний ключ: Mismatch
spec-02-1-another-key = інший ключ — це інший запит: New
spec-02-1-a-retry = повтор
spec-02-1-second-retry = другий повтор
spec-02-1-replays = { $attempt } завершеного запиту з тим самим тілом має відтворити збережену відповідь (replay)
spec-02-1-mismatch-completed = завершений ключ, надісланий з іншим тілом, має бути Mismatch: Replay віддав би цьому запиту відповідь на інший запит (сума 10 за списання на 99)
spec-02-1-abandon-frees = після abandon ключ вільний: запит, що не вдався, не зберігається, і його повтор виконується
spec-02-1-abandon-keeps = abandon видаляє заявку, але ніколи не завершену відповідь
spec-02-1-retention-replays = за 1 с до кінця строку зберігання (retention, 1 год, відлічується від завершення, а не від заявки) відповідь ще має відтворюватися
spec-02-1-retention-expired = через 1 с після кінця строку зберігання запис сплив: ключ знову новий, хай яке тіло
spec-02-1-claimed-again = ключ, знову заявлений після того, як запис сплив, — у роботі (InFlight)
spec-02-1-lease-holds = за 1 с до кінця 30-секундної оренди (lease) заявка ще чинна
spec-02-1-lease-lapses = запит, що зробив заявку, впав 31 с тому: його заявка має спливти після оренди (30 с), інакше вона блокує його повтор до кінця строку зберігання (1 год)
spec-02-1-retry-holds = тепер заявка належить повтору
spec-02-1-lapsed-gone = заявки, що сплила, більше немає, хай який у неї був відбиток (fingerprint)
spec-02-1-racing-news = раунд { $round }: { $news } з { $racers } запитів, що змагалися з одним ключем, { $news ->
        [one] отримав
       *[other] отримали
    } New, тож робота виконалася б { $news } { $news ->
        [one] раз
        [few] рази
       *[other] разів
    }: пошук ключа й заявка на нього мають бути одним кроком
spec-02-1-racing-in-flight = раунд { $round }: з { $racers } запитів, що змагалися з одним ключем, один отримав New, а { $in_flight } — InFlight; усі інші мають отримати InFlight
spec-02-1-lockstep-answer = { $threads } { $threads ->
        [one] запит
        [few] запити
       *[other] запитів
    } з одним ключем і одним тілом: begin відповів { $other }, а очікувалося New або InFlight
spec-02-1-lockstep-twice = у { $twice } з { $rounds } раундів, де { $threads } { $threads ->
        [one] потік змагався
        [few] потоки змагалися
       *[other] потоків змагалися
    } з одним ключем, New було не рівно один раз (раунд { $round }: { $news } New): робота виконалася двічі одночасно; пошук ключа й заявка на нього мають бути одним кроком
spec-02-3-no-ttl = { $what }: немає TTL (PTTL -1), тож ключ ніколи не спливе. Задайте йому PX
spec-02-3-still-there = { $what }: мав спливти через { $ttl }, а досі на місці через { $elapsed }
spec-02-3-completed-entry = завершений запис
spec-02-3-the-claim = заявка
spec-02-3-another-key = інший ключ — це New
spec-02-3-mismatch-completed = завершений ключ, надісланий з іншим тілом, має бути Mismatch, а не відповіддю на інший запит
spec-02-3-abandon-deleted = abandon на завершеному ключі видалив збережену відповідь, тож його повтор списує гроші знову: видаляйте лише заявку, що ще в роботі (перевіряйте й видаляйте в одному скрипті, а не звичайним DEL)
spec-02-3-retention-ttl = після complete запис має спливати після строку зберігання (24 год), а не { $got }: записуйте відповідь через SET з PX <retention>
spec-02-3-ttl-never = ніколи (PTTL -1, TTL немає)
spec-02-3-ttl-gone = одразу (ключа вже немає)
spec-02-3-ttl-ms = через { $ms } мс (TTL оренди?)
spec-02-3-within-retention = протягом строку зберігання відповідь відтворюється
spec-02-3-after-retention = після строку зберігання ключ знову новий, хай яке тіло
spec-02-3-lease-ttl = заявка має спливати після своєї оренди в { $lease }, а її PTTL — { $ttl }{ $ttl ->
        [-1] { " " }(TTL немає: заявка запиту, що впав, блокує його повтор назавжди)
       *[other] { "" }
    }: заявляйте ключ через SET NX PX <lease>
spec-02-3-within-lease = протягом оренди заявка чинна
spec-02-3-lease-ran-out = запит, що зробив заявку, впав, і його оренда сплила: повтор має отримати New
spec-02-3-racing-news = раунд { $round }: { $news } з { $racers } запитів, що змагалися з одним ключем, { $news ->
        [one] отримав
       *[other] отримали
    } New, тож робота виконалася б { $news } { $news ->
        [one] раз
        [few] рази
       *[other] разів
    }: заявляйте ключ однією командою SET NX PX, ніколи не GET, а потім SET
spec-02-3-sent-nothing = begin нічого не надіслав у Redis за 5 с
spec-02-3-proxy = з'єднання через проксі, що призупиняє
spec-02-3-pause = begin (сума 10) завмер між двома своїми командами, поки виконувався інший begin з тим самим ключем (сума 99): завмерлий отримав { $late }, інший — { $between }; рівно один має отримати New, а інший — Mismatch. { $why }
spec-02-3-pause-both = Обидва заявили ключ: заявляйте через SET NX PX, одну команду, ніколи не GET, а потім SET
spec-02-3-pause-stale = Завмерлий відповів за тим, що прочитав до заявки іншого: коли SET NX не вдається, відповідайте за тим, що ключ містить зараз (заявка або читання в одному скрипті)
spec-02-4-reading = читання платежів
spec-02-4-must-succeed = { $what }: має вдатися, а отримано помилку: { $error }
spec-02-4-charged = { $what }: шлюз (gateway) списав гроші { $charges } { $charges ->
        [one] раз
        [few] рази
       *[other] разів
    }, а очікувалося { $expected }. Списання: { $list }. Повтор має списувати з наявним референсом платежу, ніколи з новим
spec-02-4-installing-trigger = встановлення тригера, що імітує падіння
spec-02-4-invalid-amount = суму { $amount } має бути відхилено з InvalidAmount, а отримано { $got }
spec-02-4-refused-no-key = відхилена сума не повинна заявляти ключ: для неї нічого не записується
spec-02-4-first-payment = перший платіж
spec-02-4-key-reused = ключ k1, оплачений із сумою 1000 і надісланий знову з 2000, має бути відхилено з KeyReused("k1"), а отримано { $got }: порівнюйте збережену суму, перш ніж відповідати
spec-02-4-first-receipt = повтор має отримати назад першу квитанцію (receipt)
spec-02-4-charged-reused = один платіж, один повторно використаний ключ, один повтор
spec-02-4-duplicates-failed = раунд { $round }: { $failed } з { $duplicates } однакових запитів { $failed ->
        [one] завершився
       *[other] завершилися
    } помилкою, перший — "{ $first }": дублікат має дочекатися першого й отримати його квитанцію
spec-02-4-different-receipts = раунд { $round }: { $duplicates } однакових запитів отримали різні квитанції ({ $distinct } відрізняються від першої, { $first }): робота виконується двічі
spec-02-4-charged-rounds = після { $round } { $round ->
        [one] раунду
       *[other] раундів
    } по { $duplicates } дублікатів
spec-02-4-rounds-report = після { $rounds } { $rounds ->
        [one] раунду
       *[other] раундів
    } дублікатів: по одному платежу й одному завершеному ключу на раунд
spec-02-4-anns-payment = платіж ann
spec-02-4-bob-error = платіж bob з ключем, який використала ann (order-7), має бути власним платежем bob, а отримано помилку: { $error }. Ключі прив'язані до користувача: шукайте за (user, key)
spec-02-4-bob-got-anns = bob, надіславши ключ, який використала ann, отримав { $bob }, а квитанція ann була { $ann }: ключ одного користувача ніколи не має відповідати платежем іншого
spec-02-4-own-receipt = повтор { $user } має отримати власну квитанцію { $user }
spec-02-4-charged-users = два користувачі, по одному ключу
spec-02-4-lost-timeout = відповідь шлюзу загубилася: pay має завершитися з PayError::Gateway(Timeout), а отримано { $got }
spec-02-4-retry-after-lost = повтор після загубленої відповіді
spec-02-4-charged-lost = загублена відповідь, потім повтор
spec-02-4-names-charge = квитанція називає зроблене списання
spec-02-4-same-receipt = другий повтор має отримати ту саму квитанцію
spec-02-4-lost-report = загублена відповідь і два повтори: один платіж, один завершений ключ
spec-02-4-crashed = падіння імітовано на записі, що переводить ключ у '{ $point }', і pay повернув { $got }, а не PayError::Db: записуйте кожну точку відновлення (recovery point) ('payment_created', потім 'finished') в idempotency_keys, кожну в транзакції, що виконує її крок
spec-02-4-retry-after-crash = повтор після падіння
spec-02-4-charged-crash-after = падіння після списання, потім повтор
spec-02-4-receipt-amount = сума в квитанції
spec-02-4-crash-payments = падіння після списання, потім повтор, залишили { $payments } { $payments ->
        [one] платіж
        [few] платежі
       *[other] платежів
    }: повтор має продовжити з платежем, який створила перша спроба
spec-02-4-charged-before-row = шлюз списав гроші, ще до того як з'явився рядок платежу: спершу створіть платіж (а з ним і референс), потім списуйте
spec-02-4-charged-crash-before = падіння до платежу, потім повтор
spec-02-4-crash-before-report = падіння до створення платежу, потім повтор: рядок платежу та його точку відновлення треба записати в одній транзакції
spec-02-4-a-payment = платіж
spec-02-4-ageing = старіння ключа
spec-02-4-reaper = прибиральник (reaper)
spec-02-4-reaped = ключі віком 30 хв, 23 год, 25 год, 48 год і 1 хв, строк зберігання — доба: прибиральник має видалити два старші за добу, а він каже, що видалив { $reaped }
spec-02-4-after-reaping = після прибирання: очікувалося 3 ключі й 5 платежів, знайдено ключів: { $keys }, платежів: { $payments }
spec-02-4-retry-kept = повтор із ключем, що лишився
spec-02-4-kept-answers = ключ, що лишився, досі відповідає своєю квитанцією
spec-02-4-charged-kept = п'ять платежів і повтор із ключем, що лишився
spec-02-5-creates = перший PUT створює документ
spec-02-5-same-put = той самий PUT ще раз має бути Unchanged з версією 1: без збільшення версії, без події
spec-02-5-reordered = той самий JSON з ключами в іншому порядку й іншими пробілами — це той самий вміст: Unchanged. Гешуйте розібране значення (content_hash), а не байти, як їх надіслали
spec-02-5-updated = інший вміст (порядок у масиві має значення) — це Updated до версії 2
spec-02-5-p1-after = p1 після його PUT-запитів
spec-02-5-version = версія документа
spec-02-5-body = тіло
spec-02-5-two-events = чотири PUT, дві зміни: рівно дві події
spec-02-5-never-was = видалення того, чого ніколи не було, — це AlreadyGone
spec-02-5-deleting-live = видалення наявного документа
spec-02-5-delete-again = той самий DELETE ще раз — це AlreadyGone: стан такий, як після одного
spec-02-5-gone = видаленого документа немає
spec-02-5-tombstone = p1 мав версію 2, коли його видалили; створений знову, він має бути Created з версією 3, а не 1: повторно використаний номер версії дає старому If-Match клієнта збігтися з новим документом. Зберігайте надгробок (tombstone) з версією
spec-02-5-one-deleted-event = два DELETE одного документа дають одну подію Deleted
spec-02-5-invalid-json = PUT з { $bad } має бути відхилено з InvalidJson, а отримано { $got }
spec-02-5-refused-unchanged = відхилений PUT нічого не змінює
spec-02-5-refused-no-event = відхилений PUT не створює події
spec-02-5-puts-once = раунд { $round }: { $at_once } однакових PUT з { $body } одночасно мають дати одну зміну ({ $changed }) і { $unchanged } Unchanged; змінили документ { $changes }. Порівнюйте й записуйте під одним блокуванням
spec-02-5-deletes-once = раунд { $round }: { $at_once } DELETE одночасно мають видалити один раз; Deleted відповіли { $deleted }
spec-02-5-three-events = раунд { $round }: { $at_once } однакових PUT, ще { $at_once } з новим вмістом і { $at_once } DELETE мають дати 3 події, а дали { $made }: { $events }
spec-02-2-problem-status = { $what }: очікувався статус { $expected }, а отримано { $got } з тілом { $body }
spec-02-2-problem-type = { $what }: проблема (problem) надсилається як application/problem+json
spec-02-2-problem-body = { $what }: відповідайте через racecourse_02::layer::problems
spec-02-2-no-user = POST без x-user не має області (scope) для свого ключа
spec-02-2-no-key = POST без Idempotency-Key
spec-02-2-empty-key = порожній ключ
spec-02-2-empty-quoted-key = порожній ключ у лапках
spec-02-2-key-256 = ключ довжиною 256 символів
spec-02-2-key-tab = ключ із табуляцією
spec-02-2-key-non-ascii = ключ із байтом поза ASCII
spec-02-2-400-no-handler = запит, відхилений із 400, не повинен доходити до обробника (handler)
spec-02-2-key-255 = ключ довжиною 255 символів
spec-02-2-quoted-key = ключ у лапках ("abc", форма з чернетки IETF)
spec-02-2-bare-key = ключ без лапок (abc, форма Stripe)
spec-02-2-accepted = { $what }: має бути прийнятий, а отримано { $status } з { $body }
spec-02-2-new-key-runs = новий ключ запускає обробник: { $got }
spec-02-2-first-not-replay = перша відповідь не відтворена: на ній немає Idempotent-Replayed
spec-02-2-first-headers = перша відповідь — від обробника, разом із заголовками (Location, Content-Type): { $got }
spec-02-2-replayed-header = { $attempt } завершеного запиту має нести Idempotent-Replayed: true, а отримано { $got }
spec-02-2-replays-all = { $attempt } має відтворити статус, заголовки (Location, Content-Type) і тіло першої відповіді
spec-02-2-quoted-same = "order-1" (у лапках) і order-1 (без лапок) — той самий ключ: це відтворення
spec-02-2-handler-502 = обробник відповідає 502: { $got }
spec-02-2-5xx-replayed = 5xx теж відтворюється: робота могла виконатися наполовину, тож вона не запускається знову
spec-02-2-ran-twice = 2 запити й 4 повтори мають запустити обробник двічі, а запусків: { $runs }
spec-02-2-first-reaches = перший запит із ключем має дійти до обробника, а отримав { $got }
spec-02-2-retry-at-work = повтор, поки перший запит ще в роботі
spec-02-2-retry-after = 409 каже, коли повторити: Retry-After: { $secs }
spec-02-2-other-body-at-work = ключ запиту, що ще в роботі, надісланий з іншим тілом
spec-02-2-first-completes = перший запит завершується: { $got }
spec-02-2-409-not-stored = повтор, що отримав 409, надісланий знову, має отримати відтворену відповідь: 409 не зберігається
spec-02-2-runs-once = обробник запускається один раз
spec-02-2-reused-body = завершений ключ, надісланий з іншим тілом (сума 99, а не 10)
spec-02-2-reused-path = завершений ключ, надісланий на інший шлях (/refunds, а не /charges)
spec-02-2-422-no-handler = 422 не повинен доходити до обробника
spec-02-2-refuses-zero = обробник відхиляє суму 0: { $got }
spec-02-2-refused-not-stored = обробник відхилив перший запит (422, сума 0), не виконавши роботи: його не можна зберігати, щоб виправлений повтор із тим самим ключем виконався; отримано { $got }
spec-02-2-400-not-stored = запит, відхилений із 400, не зберігається: його виправлений повтор виконується; отримано { $got }
spec-02-2-bob-own = bob надіслав ключ, який використала alice: він має отримати власне списання, ніколи не списання alice (ключі прив'язані до користувача), а отримано { $got }
spec-02-2-alice-retry = повтор alice відтворює списання alice, а не bob
spec-02-2-one-per-user = одне списання на користувача
spec-02-2-get-passes = GET без ключа й користувача має проходити далі: { $got }
spec-02-2-get-never-replayed = GET із ключем проходить далі: ніколи не відтворюється
spec-02-2-three-gets = 3 GET мають дійти до обробника 3 рази
spec-02-2-ran-handler = раунд { $round }: { $duplicates } дублікатів одного запиту запустили обробник { $runs } { $runs ->
        [one] раз
        [few] рази
       *[other] разів
    }: ключ треба заявляти одним кроком, до запуску обробника
spec-02-2-first-answer = раунд { $round }: лише { $same } з { $duplicates } дублікатів отримали першу відповідь


## Назви перевірок (назви тестів специфікації); де перекладу немає, назва англійською

exercise-02-1-check-each_outcome = кожен результат begin
exercise-02-1-check-completed_entries_expire_after_retention = завершені записи спливають після строку зберігання
exercise-02-1-check-claims_expire_after_the_lease = заявки спливають після оренди
exercise-02-1-check-one_of_many_racing_begins_wins = з багатьох одночасних begin перемагає один
exercise-02-1-check-threads_in_lockstep_get_one_new = потоки в ногу отримують один New
exercise-02-2-check-bad_keys_and_users_get_400 = погані ключі й користувачі отримують 400
exercise-02-2-check-a_completed_request_is_replayed = завершений запит відтворюється
exercise-02-2-check-a_request_in_flight_gets_409 = запит у роботі отримує 409
exercise-02-2-check-a_reused_key_gets_422 = повторно використаний ключ отримує 422
exercise-02-2-check-a_failed_request_is_not_stored = запит, що не вдався, не зберігається
exercise-02-2-check-users_have_their_own_keys = у користувачів власні ключі
exercise-02-2-check-other_methods_pass_through = інші методи проходять далі
exercise-02-2-check-concurrent_duplicates_run_once = одночасні дублікати виконуються один раз
exercise-02-3-check-each_outcome = кожен результат begin
exercise-02-3-check-abandon_drops_only_a_claim = abandon видаляє лише заявку
exercise-02-3-check-completed_entries_carry_the_retention = завершені записи мають строк зберігання
exercise-02-3-check-claims_expire_after_the_lease = заявки спливають після оренди
exercise-02-3-check-one_of_many_racing_begins_wins = з багатьох одночасних begin перемагає один
exercise-02-3-check-a_pause_between_two_commands_changes_nothing = пауза між двома командами нічого не змінює
exercise-02-4-check-bad_amounts_and_reused_keys_are_refused = погані суми й повторно використані ключі відхиляються
exercise-02-4-check-fifty_duplicates_charge_once = п'ятдесят дублікатів списують один раз
exercise-02-4-check-users_have_their_own_keys = у користувачів власні ключі
exercise-02-4-check-a_lost_gateway_reply_is_not_charged_again = після загубленої відповіді шлюзу гроші не списуються знову
exercise-02-4-check-a_crash_before_the_receipt_is_stored_resumes = після падіння до збереження квитанції робота продовжується
exercise-02-4-check-a_crash_before_the_payment_is_created_starts_over = після падіння до створення платежу все починається спочатку
exercise-02-4-check-the_reaper_removes_only_old_keys = прибиральник видаляє лише старі ключі
exercise-02-5-check-a_repeated_put_changes_nothing = повторний PUT нічого не змінює
exercise-02-5-check-a_repeated_delete_changes_nothing = повторний DELETE нічого не змінює
exercise-02-5-check-bad_json_is_refused = некоректний JSON відхиляється
exercise-02-5-check-identical_requests_at_once_change_once = однакові одночасні запити змінюють один раз
