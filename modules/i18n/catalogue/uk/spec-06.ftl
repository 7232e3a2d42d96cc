# Специфікації модуля 06: пояснення, які дає перевірка, що не проходить.

## Власні кроки специфікації, названі, коли котрийсь не вдається (читання рядка, налаштування сервісів)

spec-06-step-installing-the-crash-trigger = встановлення тригера, що імітує збій
spec-06-step-counting-the-orders = підрахунок замовлень
spec-06-step-reading-a-status = читання статусу
spec-06-step-counting-orders-and-events = підрахунок замовлень і подій
spec-06-step-placing-an-order = розміщення замовлення
spec-06-step-reading-the-event = читання події
spec-06-step-reading-the-figures = читання показників
spec-06-step-setting-up-the-services = налаштування сервісів
spec-06-step-reading-the-services = читання стану сервісів
spec-06-step-reading-the-saga-log = читання журналу саги
spec-06-step-starting-a-saga = запуск саги
spec-06-step-reading-the-product = читання товару
spec-06-step-reading-the-charged-orders = читання оплачених замовлень
spec-06-step-adding-a-product = додавання товару
spec-06-step-reading-the-declined-order = читання відхиленого замовлення
spec-06-step-opening-an-account = відкриття рахунку
spec-06-step-reading-an-account = читання рахунку
spec-06-step-reading-the-total = читання загальної суми
spec-06-step-reading-the-ledger = читання журналу проводок
spec-06-step-queueing-the-jobs = постановка завдань у чергу
spec-06-step-another-workers-transaction = транзакція іншого обробника
spec-06-step-locking-jobs-1-to-5 = блокування завдань 1–5
spec-06-step-unlocking-jobs-1-to-5 = розблокування завдань 1–5
spec-06-step-completing-the-jobs = завершення завдань
spec-06-step-running-out-the-lease = завершення оренди завдань 1–4
spec-06-step-completing-worker-a = завершення пакета обробника A
spec-06-step-completing-worker-b = завершення пакета обробника B
spec-06-step-reading-the-jobs = читання завдань
spec-06-step-failing-the-job = позначення завдання невдалим
spec-06-step-reading-the-job = читання завдання
spec-06-step-skipping-the-backoff = пропуск затримки повтору
spec-06-step-a-claim = захоплення завдань
spec-06-step-failing-a-job = позначення завдання невдалим
spec-06-step-completing-the-delivered-jobs = завершення доставлених завдань

## Пояснення специфікацій

spec-06-1-not-payment-key = платіжний шлюз (gateway) попросили списати оплату за ключем { $key }, який не є payment_key(order)
spec-06-1-unreadable = не вдалося прочитати: { $error }
spec-06-1-in-state = у стані { $state }
spec-06-1-not-there = відсутнє (ще не закомічене?)
spec-06-1-seen-at-call = замовлення { $order } було { $seen }, коли викликали платіжний шлюз: закомітьте резерв і замовлення до виклику платежу й не тримайте транзакцію відкритою під час нього
spec-06-1-violations = викликів платежу, що застали своє замовлення незакоміченим або не зарезервованим: { $calls }; перший: { $first }
spec-06-1-charge-key = платіж (charge) із ключем { $key }: ключ має бути payment_key(order)
spec-06-1-charged-times = за замовлення { $order } оплату списали { $times } { $times ->
        [one] раз
        [few] рази
       *[other] разів
    } (ключі { $keys }): оплата одного замовлення — це один виклик платіжного клієнта з payment_key(order): клієнт сам повторює запит із цим ключем (idempotency key), а новий ключ — це нове списання
spec-06-1-charged-not-paid = за замовлення { $order } оплату списали, але воно { $state }: покупець заплатив і нічого не отримує. Відмова — лише Declined: коли клієнт здається після 503 чи тайм-аутів, списання могло відбутися, тож оформлення повертає PaymentInDoubt і лишає замовлення зарезервованим
spec-06-1-orphans = { $what }: замовлень досі зарезервовано: { $orders }, вони тримають одиниць: { $units }, хоча кожне оформлення вже повернуло відповідь: осиротілі резерви (orphan reservations). Відхилений платіж має звільняти своє замовлення
spec-06-1-unknown-product = оформлення замовлення на товар 99, якого не існує, має дати UnknownProduct(99), а отримано { $got }
spec-06-1-out-of-stock = 4 одиниці товару, якого є 3, мають дати OutOfStock, а отримано { $got }
spec-06-1-after-out-of-stock = після оформлення, на яке забракло залишку
spec-06-1-declined = { $qty } од. по { $price }, понад ліміт картки { $limit }: шлюз відхиляє платіж, і оформлення має дати Declined(order), а отримано { $got }
spec-06-1-after-declined = після відхиленого платежу
spec-06-1-declined-released = відхилене замовлення { $order } має бути звільнене (released)
spec-06-1-one-of-three = 1 одиниця з 3 після відхилення
spec-06-1-after-selling-one = після продажу 1 одиниці: продана кількість і одиниці в оплачених замовленнях
spec-06-1-one-charge = одне списання за 1 одиницю по { $price }, чий id зберігає замовлення
spec-06-1-reply-may-be-lost = оформлення, відповідь на яке може загубитися (відповідь на п'яте списання губиться)
spec-06-1-five-sales = п'ять продажів, п'ять списань, одну загублену відповідь клієнт повторив з її ключем
spec-06-1-after-five-sales = після п'яти продажів
spec-06-1-in-doubt = шлюз списав оплату за замовлення { $order }, а тоді загубив відповіді на всі { $attempts } спроби платіжного клієнта, і той здався: оформлення має повернути PaymentInDoubt({ $order }, ..), бо відмова — лише Declined; отримано { $got }
spec-06-1-in-doubt-one-charge = шлюз загубив усі відповіді на оплату одного оформлення: списати мали рівно одне замовлення, і воно має лишитися зарезервованим; списань у шлюзі: { $charges }
spec-06-1-after-in-doubt = оформлення після платежу під сумнівом
spec-06-1-in-doubt-units = після платежу під сумнівом і продажу: 1 одиниця зарезервована 1 замовленням (тим, що під сумнівом, для звіряння) і 1 продана; отримано зарезервованих { $reserved } у { $orders } замовленнях, проданих { $sold }
spec-06-1-must-be-paid = { $what }: має бути оплачено, а отримано помилку: { $error }
spec-06-1-round = раунд { $product }
spec-06-1-oversold = раунд { $product }: продано { $sold } з { $stock }: понад залишок продано { $over } (oversell)
spec-06-1-buyer-gave = раунд { $product }: оформлення покупця { $i } дало { $got }, а очікувалося { $expected }
spec-06-1-expected-declined = Declined (понад ліміт картки) або OutOfStock
spec-06-1-expected-paid = оплачене замовлення або OutOfStock
spec-06-1-paid-say-so = раунд { $product }: оплачених оформлень: { $ok }; це мають показувати і продана кількість, і оплачені замовлення, і їхні одиниці
spec-06-1-charge-per-order = після раунду { $product }: одне списання на кожне оплачене замовлення
spec-06-2-ledger-matches = { $what }: баланс рахунку { $account } дорівнює { $balance }, а його журнал проводок (ledger) дає в сумі { $sum }: кожен рух коштів потребує свого рядка в журналі, записаного в тій самій транзакції, що й баланс
spec-06-2-invalid-amount = списання { $amount } має дати InvalidAmount, а отримано { $got }
spec-06-2-unknown-debit = списання з рахунку 9, якого не існує, має дати UnknownAccount(9), а отримано { $got }
spec-06-2-same-account = переказ із рахунку 1 на нього ж має дати SameAccount, а отримано { $got }
spec-06-2-unknown-transfer = переказ на рахунок 9 має дати UnknownAccount(9), а отримано { $got }
spec-06-2-debit-insufficient = списання 30 з балансу 20 має дати Insufficient(1), а отримано { $got }: умова — balance >= amount, а не balance > 0
spec-06-2-transfer-insufficient = переказ 30 з балансу 20 має дати Insufficient(1), а отримано { $got }
spec-06-2-leave-zero = списання 20 з 20 має залишити 0, а отримано { $got }
spec-06-2-after-refusals = після відмов і одного списання
spec-06-2-never-touched = рахунку 2 ніхто не торкався
spec-06-2-fifty-debits = раунд { $account }: { $debits } списань по 10 з 500 мають дати 50 успіхів, 50 Insufficient і баланс 0; отримано успіхів: { $ok }, відмов: { $refused }, баланс { $balance }. Перевіряйте й віднімайте одним кроком: UPDATE ... SET balance = balance - $2 WHERE id = $1 AND balance >= $2
spec-06-2-round = раунд { $account }
spec-06-2-row-per-debit = раунд { $account }: один рядок журналу на кожне списання
spec-06-2-debit-db = списання, чий рядок журналу не записався, має завершитися помилкою Db, а отримано { $got }
spec-06-2-after-failed-debit = після списання, чий рядок журналу не записався
spec-06-2-transfer-db = переказ, чий рядок журналу для зарахування не записався, має завершитися помилкою Db, а отримано { $got }
spec-06-2-after-failed-transfer = після переказу, чий рядок журналу не записався
spec-06-2-nothing-may-move = рахунок { $account } після невдалого переказу: кошти не мають рухатися
spec-06-2-debit-again = повторне списання має вдатися
spec-06-2-transfer-again = повторний переказ має вдатися
spec-06-2-after-13-and-17 = після списання 13 і переказу 17
spec-06-2-reader-saw = читач побачив загальну суму { $sum } (очікувалося { $total }) і найменший баланс { $min }, поки тривали перекази: списання й зарахування переказу мають комітитися разом, в одній транзакції
spec-06-2-transfer-failed = переказ між двома відкритими рахунками завершився помилкою: { $error }
spec-06-2-split = транзакцій, що записали незбалансовані рядки журналу для переказів: { $transactions } (перша: рядків { $rows }, у сумі { $sum }): списання й зарахування переказу разом із двома їхніми рядками журналу мають комітитися разом, в одній транзакції
spec-06-2-after-transfers = після переказів
spec-06-2-two-rows = по два рядки журналу на кожен здійснений переказ ({ $moved })
spec-06-2-deadlock = раунд { $round }: переказ між рахунками 1 і 2 завершився помилкою, поки інші йшли в протилежному напрямку: { $error }. Блокуйте обидва рядки в одному порядку, хоч би який був напрямок (SELECT ... WHERE id IN (..) ORDER BY id FOR UPDATE)
spec-06-2-each-way = порівну в кожен бік
spec-06-3-claim-failed = { $what }: захоплення (claim) завершилося помилкою: { $error }
spec-06-3-claim-waited = { $what }: захоплення чекало понад 2 с на рядки, які заблокувала інша транзакція: обробники мають оминати заблоковані завдання, FOR UPDATE SKIP LOCKED
spec-06-3-with-locked = із заблокованими завданнями 1–5
spec-06-3-first-ten-free = коли завдання 1–5 заблокувала інша транзакція, захоплення 10 має отримати завдання 6–15, перші десять вільних
spec-06-3-attempt-1 = перше захоплення — це спроба 1 для кожного завдання: { $jobs }
spec-06-3-second-claim = друге захоплення
spec-06-3-second-gets = друге захоплення має отримати завдання 16–25: завдання 6–15 орендовані (lease); захоплені знову, поки оренда діє, вони були б надіслані двічі
spec-06-3-third-claim = третє захоплення
spec-06-3-once-unlocked = після розблокування — завдання 1–5 і 26–30
spec-06-3-fourth-claim = четверте захоплення
spec-06-3-all-leased = усі завдання орендовані: захоплювати нічого, а отримано { $got }
spec-06-3-the-first-claim = перше захоплення
spec-06-3-first-gets-five = перше захоплення отримує 5 завдань
spec-06-3-claim-during-lease = захоплення, поки діє оренда
spec-06-3-lease-holds = поки діє оренда обробника, що впав, його завдання не можна захоплювати знову (їх надіслали б двічі), а отримано { $got }
spec-06-3-claim-after-lease = захоплення після оренди
spec-06-3-claimable-again = коли оренда скінчилася, завдання обробника, що впав, мають знову бути доступні для захоплення: захопленню потрібен leased_until, а завдання, чия оренда минула, вільне
spec-06-3-attempt-2 = друге захоплення — це спроба 2 для кожного завдання: { $jobs }
spec-06-3-claim-after-completing = захоплення після завершення
spec-06-3-completed-never = завершені завдання ніколи не захоплюються знову, а отримано { $got }
spec-06-3-five-done = 5 завдань виконано: { $states }
spec-06-3-worker-a-claim = захоплення обробника A
spec-06-3-worker-a-gets-ten = захоплення обробника A отримує 10 завдань
spec-06-3-worker-b-claim = захоплення обробника B
spec-06-3-by-worker-b = коли їхня оренда скінчилася, завдання 1–3 мають знову бути доступні для захоплення, обробником B
spec-06-3-overwritten = завдання { $jobs } позначив виконаними обробник A, чия оренда на них скінчилася і які відтоді захопив обробник B і досі надсилає: завершуйте лише ті завдання, чия оренда досі належить обробникові (після його власного захоплення нового не було: те саме значення attempts)
spec-06-3-still-holds = завершення обробника A має позначити виконаними завдання, які він досі тримає, 4–10: оренда завдання 4 скінчилася, але відтоді його ніхто не захопив, тож його доставили один раз і воно має бути виконане, інакше його надішлють знову
spec-06-3-all-ten-done = коли обробник B завершить завдання 1–3, усі 10 виконано
spec-06-3-attempt = спроба { $attempt }
spec-06-3-must-claim = спроба { $attempt } має захопити завдання, зарахувавши це як спробу { $attempt }
spec-06-3-must-be-dead = після невдалих спроб: { $attempt } (max_attempts) завдання має бути мертвим (dead)
spec-06-3-retried = після невдалих спроб: { $attempt } завдання повторюють
spec-06-3-backoff = після невдалої спроби { $attempt } завдання має чекати { $expected } с (backoff * 2^(attempt - 1)); його run_at настане через { $wait } с
spec-06-3-claim-during-backoff = захоплення під час затримки повтору
spec-06-3-not-during-backoff = завдання не можна захоплювати під час його затримки повтору (backoff)
spec-06-3-claim-of-dead = захоплення мертвого завдання
spec-06-3-dead-never = мертве завдання ніколи не захоплюється знову, а отримано { $got }
spec-06-3-stopped-draining = черга перестала спорожнятися на { $stall } з обробниками: { $workers }: { $states }. Чи повертаються завдання обробників, що впали, після оренди?
spec-06-3-overlaps = завдань, які два обробники надсилали одночасно: { $jobs } (перше: завдання { $first }): завдання, захоплене й орендоване, ніхто інший не може захопити
spec-06-3-twice = завдань, доставлених більше одного разу: { $jobs } (напр., завдання { $job } — { $times } { $times ->
        [one] раз
        [few] рази
       *[other] разів
    }): кожне має захоплювати один обробник за раз
spec-06-3-missing = завдань, які так і не доставили: { $jobs } (перше: { $first })
spec-06-3-dead-letters = мертві листи (dead letters) мають бути рівно тими завданнями, чий одержувач завжди відбиває лист
spec-06-3-good-done = виконано завдань: { $good }: { $states }
spec-06-4-services-hold = { $what }: сервіси тримають { $held }, а очікувалося { $expected }: { $why }
spec-06-4-every-step-once = кожен крок виконано один раз
spec-06-4-undo-exactly = збій на { $step } має залишити все як було: скасуйте рівно ті кроки, що були виконані, кожен один раз
spec-06-4-log-reads = { $what }: журнал саги містить { $written }, а очікувалося { $steps }: кожен крок записується до журналу в транзакції, що його виконує, компенсації — у зворотному порядку
spec-06-4-how-ended = { $what }: чим завершилася сага
spec-06-4-drive-error = { $what }: виконання саги має завершити її як { $expected }, а отримано помилку: { $error }
spec-06-4-no-failure = сага без збою
spec-06-4-completed = завершена сага
spec-06-4-completed-again = завершена сага, запущена знову
spec-06-4-refused-at = сага, відхилена на { $step }
spec-06-4-driven-again = { $what }, запущена знову
spec-06-4-crash-while = збій під час запису '{ $action } { $step }' до журналу, потім продовження
spec-06-4-crash-reaches = { $what }: штучний збій має дійти до викликача як помилка, а отримано { $got }
spec-06-5-stalled = { $queued } з { $orders } замовлень досі QUEUED після { $stall } без поступу: замовлення, чий обробник помер, має повернутися в чергу (підтверджуйте (ack) лише після успішної обробки, ніколи до неї і ніколи після збою)
spec-06-5-not-answered = не всі { $orders } замовлень отримали відповідь за { $limit }, поки обробку тримали закритою: accept має записати, опублікувати й відповісти, ніколи не чекаючи на обробку
spec-06-5-accepted-queued = кожне замовлення має бути прийняте як QUEUED, а одне отримало { $got }
spec-06-5-still-queued = замовлення { $first }, прийняте, коли обробку тримали закритою, досі має бути QUEUED: його обробили в самому запиті, а не пізніше
spec-06-5-unknown-order = невідоме замовлення не має статусу
spec-06-5-prefetch = обробники ({ $workers }) тримали до { $most } замовлень одночасно, більше ніж { $bound }: задайте prefetch каналу (basic_qos) рівним PREFETCH і підтверджуйте лише після обробки, щоб RabbitMQ обмежував роботу в руках
spec-06-5-after-processing = замовлення { $first } після обробки
spec-06-5-accepting-order = прийняття замовлення { $i }
spec-06-6-order-must-fail = замовлення, чию подію не вдалося записати, має завершитися помилкою, а отримано { $got }
spec-06-6-together = після невдалої вставки події: замовлень { $orders }, подій { $events }. Замовлення без його події — це замовлення, про яке більше ніхто не дізнається: записуйте обидва в одній транзакції (outbox)
spec-06-6-event-names = подія називає своє замовлення й кількість
spec-06-6-round-failed = раунд перезапущеного ретранслятора (relay) завершився помилкою: { $error }
spec-06-6-placing-failed = розміщення замовлення завершилося помилкою: { $got }
spec-06-6-mark-failed = раунд ретранслятора, чия позначка не вдалася (штучно), має завершитися помилкою, а отримано { $got }
spec-06-6-closed-channel = раунд ретранслятора на закритому каналі має завершитися помилкою, а отримано { $got }
spec-06-6-still-unpublished = після раунду, чия позначка не вдалася, і раунду на закритому каналі всі { $orders } подій мають лишатися неопублікованими, а таких { $unpublished }: позначайте подію опублікованою лише після того, як брокер її підтвердив
spec-06-6-no-progress = жодного поступу за { $stall }: неопублікованих подій { $unpublished }, застосовано замовлень { $orders } з { $total } ({ $applied } од.). Події загубилися: публікуйте з підтвердженнями (confirms) і позначайте лише те, що брокер підтвердив
spec-06-6-applied-once = споживач (consumer) застосував замовлень { $orders } і одиниць { $applied } на { $total } замовлень з { $units } одиницями: подію, доставлену двічі (ретранслятор доставляє щонайменше раз, at least once), треба застосувати один раз. Записуйте id події в транзакції, що її застосовує

## Назви перевірок (назви тестів специфікації)

exercise-06-1-check-each_outcome_leaves_nothing_reserved = кожен результат не залишає нічого зарезервованого
exercise-06-1-check-a_payment_in_doubt_is_neither_released_nor_charged_twice = платіж під сумнівом не звільняють і не списують двічі
exercise-06-1-check-hundred_checkouts_of_fifty_units = сто оформлень на п'ятдесят одиниць
exercise-06-2-check-refusals_move_nothing = відмови нічого не переміщують
exercise-06-2-check-hundred_debits_of_ten_from_five_hundred = сто списань по десять із п'ятисот
exercise-06-2-check-a_failed_ledger_write_moves_nothing = невдалий запис у журнал нічого не переміщує
exercise-06-2-check-transfers_keep_the_total = перекази зберігають загальну суму
exercise-06-2-check-opposite_transfers_do_not_deadlock = зустрічні перекази не доходять до взаємоблокування
exercise-06-3-check-claims_skip_locked_and_leased_jobs = захоплення оминає заблоковані й орендовані завдання
exercise-06-3-check-a_crashed_workers_jobs_return_after_the_lease = завдання обробника, що впав, повертаються після оренди
exercise-06-3-check-a_late_worker_completes_only_what_it_still_holds = запізнілий обробник завершує лише те, що досі тримає
exercise-06-3-check-failures_back_off_then_go_dead = збої відкладають повтор, а потім завдання стає мертвим
exercise-06-3-check-thousand_jobs_four_workers_with_crashes = тисяча завдань, чотири обробники, зі збоями
exercise-06-4-check-a_saga_without_failure_completes = сага без збою завершується
exercise-06-4-check-a_failure_at_each_step_undoes_the_others = збій на кожному кроці скасовує інші
exercise-06-4-check-a_crash_at_each_point_resumes = після збою в кожній точці сага продовжується
exercise-06-5-check-a_thousand_orders_accepted_then_processed = тисячу замовлень прийнято, потім оброблено
exercise-06-5-check-a_crashed_worker_loses_no_order = обробник, що впав, не губить жодного замовлення
exercise-06-6-check-an_order_and_its_event_commit_together = замовлення і його подія комітяться разом
exercise-06-6-check-a_killed_relay_loses_and_repeats_nothing = убитий ретранслятор нічого не губить і не повторює
