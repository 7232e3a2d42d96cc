# Повідомлення курсу українською: переклад catalogue/en.ftl. Ідентифікатори ті
# самі, що в en.ftl; `cargo xtask verify` не пропустить повідомлення, якого тут
# немає, чи змінну, якої код не передає. Назви, підказки та ймовірні причини
# зависання вправ (course.toml) — у кінці файлу, як exercise-<id>-<поле>.

## cargo xtask test

test-edit = редагуйте: { $file }
test-hint = підказка: cargo xtask hint { $id }
test-check-ok = ok    { $check }
test-check-failed = ПОМИЛКА  { $check }
test-passes = { $id } проходить: усі перевірки ({ $count }). Далі: { $next }.
test-some-pass = { $id }: проходить { $passed } з { $count } { $count ->
        [one] перевірки
       *[other] перевірок
    }. Виправте { $file } і знову запустіть `cargo xtask test { $id }`; підказка: `cargo xtask hint { $id }`.
test-does-not-compile = { $file } ще не компілюється: першу помилку показано вище. Виправте її і знову запустіть `cargo xtask test { $id }`.
test-service-missing = Бракує { $service }: `cargo xtask services` підкаже, де його взяти.
test-progress-not-recorded = попередження: не вдалося записати поступ: { $error }

## Специфікація не проходить

spec-not-passing = ще не проходить
spec-file-to-edit = файл для редагування: { $file }
spec-hint = підказка:               cargo xtask hint { $id }
spec-not-in-course = (немає в course.toml)
spec-todo = ще не написано (`todo!()` заготовки): { $what }
spec-stuck = перевірка `{ $check }` не завершилася: { $how }.

    Ймовірна причина: { $cause }
spec-stuck-simulated = вона все ще чекала після { $minutes } хв симульованого часу (специфікація йде на призупиненому годиннику tokio, що стрибає вперед, щойно всі задачі чекають) і її зупинено
spec-stuck-real = вона все ще працювала через { $seconds } с і її зупинено
spec-stuck-general-cause = очікування, що ніколи не закінчується, або цикл, що ніколи не здається: чи має кожне очікування дедлайн, і чи прокидається задача, коли стається те, на що вона чекає?
spec-no-verdict = потік специфікації завершився без вердикту
spec-cancelled = задачу специфікації скасовано: { $error }
spec-panic-not-text = специфікація запанікувала зі значенням, що не є текстом

## Пояснення специфікацій

spec-01-1-once = новий лічильник після одного збільшення має показувати 1, а не { $got }
spec-01-1-lost = очікувалося { $expected } після { $tasks } задач x { $increments } збільшень, отримано { $got }: втрачено { $lost } { $lost ->
        [one] збільшення
        [few] збільшення
       *[other] збільшень
    }
spec-01-2-account-created = рахунок { $account } було створено, а його не знайдено
spec-01-2-first-version = нові рахунки починаються з версії 1
spec-01-2-current-commit = коміт за поточною версією має вдатися
spec-01-2-commit-bumps = коміт записує значення й збільшує версію
spec-01-2-stale-refused = запис, обчислений із версії 1, має бути відхилено, щойно a має версію 2
spec-01-2-refused-writes-nothing = відхилений коміт не повинен нічого записувати
spec-01-2-mixed-refused = коміт з одним застарілим записом має бути відхилено
spec-01-2-all-or-nothing = коміт — це все або нічого: коли запис b застарів, a теж не має змінитися
spec-01-2-missing-key = запис у ключ, якого немає, — це конфлікт без фактичної версії
spec-01-2-racing-lost = { $threads } { $threads ->
        [one] потік робив
        [few] потоки робили
       *[other] потоків робили
    } коміт `value + 1` по { $commits } { $commits ->
        [one] разу
        [few] рази
       *[other] разів
    } кожен, від версії, яку прочитали; { $succeeded } { $succeeded ->
        [one] коміт повідомив
        [few] коміти повідомили
       *[other] комітів повідомили
    } про успіх, але значення — { $value }: втрачено { $lost } { $lost ->
        [one] успішний коміт
        [few] успішні коміти
       *[other] успішних комітів
    }. Два коміти від тієї самої версії обидва пройшли перевірку: перевіряйте й записуйте під одним блокуванням, в одній критичній секції
spec-01-2-one-attempt = переказ без конкуренції вдається з першої спроби
spec-01-2-moved = 30 мали перейти з a на b
spec-01-2-unexpected-error = переказ { $from } -> { $to } на суму { $amount } завершився помилкою { $error }, а з правильними вхідними даними такого не буває
spec-01-2-total = до переказів на рахунках разом було { $before }, після — { $after }: втрачені оновлення { $change ->
        [created] створили
       *[destroyed] знищили
    } { $difference }
spec-01-2-balances = після { $moved } { $moved ->
        [one] успішного переказу
       *[other] успішних переказів
    } баланси мали б бути { $expected }, а вони { $actual }: переказ, що повідомив про успіх, загубився, або застосовано той, що повідомив про невдачу
spec-01-2-negative = баланс став від'ємним: { $actual }
spec-01-2-too-few = пройшло лише { $moved } з { $attempted } переказів ({ $errors }): у разі конфлікту повторюйте спробу, до MAX_ATTEMPTS разів
spec-01-3-free-taken = вільний ресурс можна взяти
spec-01-3-expires = оренда на 30 с має спливати через 30 с від цієї миті
spec-01-3-held = зайнятий ресурс не можна взяти вдруге
spec-01-3-another-free = інший ресурс вільний
spec-01-3-forged = оренда з чужим токеном не повинна звільняти блокування
spec-01-3-refused-release = після відхиленого звільнення блокування має лишатися зайнятим
spec-01-3-own-token = кожна оренда потребує власного токена
spec-01-3-owner-releases = власник може звільнити блокування
spec-01-3-released-twice = оренда, звільнена один раз, не може звільнити вдруге
spec-01-3-released-taken = звільнений ресурс можна взяти
spec-01-3-still-held = на 9-й секунді 10-секундної оренди ресурс ще зайнятий
spec-01-3-expired-taken = на 11-й секунді 10-секундної оренди оренда вже сплила, і ресурс можна взяти
spec-01-3-expired-release = звільнення від власника, чия оренда сплила, має бути відхилено: воно звільнило б блокування нового власника
spec-01-3-new-holder = новий власник досі тримає ресурс
spec-01-3-times-out = очікування в 1 с на ресурс, зайнятий на 60 с, має завершитися тайм-аутом
spec-01-3-gives-up = очікування в 1 с має здатися через 1 с, а тривало { $took }
spec-01-3-waiter-gets = задача, що чекає, має отримати ресурс, щойно його звільнять
spec-01-3-wake-on-release = ресурс звільнили на 5-й секунді, а задача, що чекала, отримала його лише через { $took }: будіть тих, хто чекає, під час звільнення
spec-01-3-free-on-expiry = ресурс має звільнитися, коли спливе 10-секундна оренда
spec-01-3-wake-on-expiry = оренда власника сплила через 10 с після того, як він її взяв, тобто десь 5 с тому; задача, що чекала, отримала ресурс лише через { $took }
spec-01-3-turn = з очікуванням у хвилину кожна задача дочекається своєї черги (кожна тримає 10 мс)
spec-01-3-releases-own = власник звільняє власну оренду
spec-01-3-overlaps = { $overlaps } { $overlaps ->
        [one] раз
        [few] рази
       *[other] разів
    } задача взяла блокування, поки його тримала інша
spec-01-3-value = { $tasks } { $tasks ->
        [one] власник додав
        [few] власники додали
       *[other] власників додали
    } по одиниці, а значення — { $value }
spec-01-4-zero = кількість 0 має бути відхилено з InvalidQuantity
spec-01-4-unknown = товар, якого не існує, має бути відхилено з UnknownProduct
spec-01-4-not-enough = 3 одиниці товару, якого на складі 2, має бути відхилено з OutOfStock { "{" } available: 2 { "}" }
spec-01-4-last-units = резервування 2 одиниць товару, якого на складі 2, має вдатися, а отримано { $got }
spec-01-4-sold-out = коли нічого не лишилося, резервування має бути відхилено з OutOfStock { "{" } available: 0 { "}" }
spec-01-4-buyer-failed = раунд { $round }: покупець отримав помилку `{ $error }`; поки товар є, покупець має отримати замовлення, а коли немає — OutOfStock
spec-01-4-mix-single = по 1 одиниці
spec-01-4-mix-mixed = по 3, 6 або 9 одиниць
spec-01-4-oversold = раунд { $round }: замовлено { $ordered } { $ordered ->
        [one] одиницю
        [few] одиниці
       *[other] одиниць
    } із { $stock } на складі: продано понад залишок { $oversold } { $oversold ->
        [one] одиницю
        [few] одиниці
       *[other] одиниць
    } ({ $buyers } покупців одночасно, { $mix })
spec-01-4-out-of-step = раунд { $round }: покупцям сказали, що вони отримали { $told } { $told ->
        [one] одиницю
        [few] одиниці
       *[other] одиниць
    }, у замовленнях { $ordered } { $ordered ->
        [one] одиниця
        [few] одиниці
       *[other] одиниць
    }, а reserved = { $reserved }: замовлення й резерв розійшлися ({ $mix })
spec-01-4-wrongly-sold-out = раунд { $round }: buyer-{ $buyer } попросив { $asked } { $asked ->
        [one] одиницю
        [few] одиниці
       *[other] одиниць
    } і почув, що все розпродано, а на складі ще { $left }
spec-01-4-orders = раунд 1: очікувалося { $stock } замовлень по одній одиниці на { $stock } одиниць, отримано { $got }
spec-01-4-waited = reserve чекав 2 с на заблокованому рядку: задайте lock_timeout у транзакції, щоб він здавався через 200 мс
spec-01-4-not-busy = поки інша транзакція тримає рядок, reserve має завершитися з Busy після свого lock_timeout, а отримано { $got } (чи блокує він рядок через SELECT ... FOR UPDATE?)
spec-01-4-timed-out-writes-nothing = резервування, що завершилося тайм-аутом, не повинне нічого записувати
spec-01-4-after-free = щойно рядок вільний, резервування проходить, а отримано { $got }
spec-01-6-invalid-stars = оцінку в { $stars } { $stars ->
        [one] зірку
        [few] зірки
       *[other] зірок
    } має бути відхилено з InvalidStars
spec-01-6-unknown = книжку, якої не існує, має бути відхилено з UnknownBook
spec-01-6-one-ok = одна оцінка наявної книжки має вдатися
spec-01-6-one-counted = одна оцінка 4: count 1, sum 4
spec-01-6-failed = раунд { $round }: { $failed } з { $raters } оцінок завершилися помилкою, перша — `{ $first }`: повторюйте спробу після конфлікту з наростаючою затримкою
spec-01-6-lost = раунд { $round }: усі { $raters } оцінок із сумою { $expected } повідомили, що збережені, а в книжки count { $count } і sum { $sum }: { $lost } { $lost ->
        [one] оцінку
        [few] оцінки
       *[other] оцінок
    } втрачено
spec-01-7-status = { $what }: очікувалося { $expected }, отримано { $got }
spec-01-7-problem = { $what }: помилка має бути документом application/problem+json з "status": { $status }, а отримано { $content_type } { $body }
spec-01-7-get-seeded = GET документа, створеного на початку
spec-01-7-get-content = GET відповідає вмістом документа
spec-01-7-etag-header = GET має відповідати заголовком ETag
spec-01-7-etag-quoted = ETag — це рядок у лапках, а отримано { $got }
spec-01-7-get-unknown = GET невідомого документа
spec-01-7-put-no-if-match = PUT без If-Match
spec-01-7-put-stale = PUT з If-Match, що не є поточним ETag
spec-01-7-put-malformed = PUT з некоректним JSON
spec-01-7-put-unknown = PUT невідомого документа
spec-01-7-refused-unchanged = відхилені записи мають лишати документ і його ETag такими, як були
spec-01-7-put-current = PUT з поточним ETag має вдатися
spec-01-7-new-etag = успішний PUT відповідає новим ETag
spec-01-7-etag-changes = запис має змінювати ETag
spec-01-7-get-new-etag = GET відповідає тим ETag, який повернув PUT
spec-01-7-put-lost-update = другий PUT з ETag, прочитаним до першого PUT (втрачене оновлення)
spec-01-7-if-match-any = If-Match: * збігається з будь-яким наявним документом
spec-01-7-racing = раунд { $round }: { $writers } записувачів одночасно надіслали той самий If-Match: очікувалися 1 успіх і { $expected_refused } x 412, отримано { $successes } { $successes ->
        [one] успіх
        [few] успіхи
       *[other] успіхів
    } і { $refused } x 412; { $overwritten } { $overwritten ->
        [one] правку
        [few] правки
       *[other] правок
    } мовчки перезаписано
spec-01-7-winner-content = раунд { $round }: документ має містити вміст того єдиного записувача, якому сказали, що він переміг
spec-01-8-not-expiring = блокування, взяте на { $ttl }, досі на місці через { $waited }: задайте йому PX
spec-01-8-free-taken = вільне блокування можна взяти
spec-01-8-ttl = ключ блокування має спливати в межах запитаних 30 с (PTTL { $ttl }): SET ... NX PX
spec-01-8-held = зайняте блокування не можна взяти вдруге
spec-01-8-stranger-release = звільнення від того, хто не тримає блокування, має бути відхилено (звичайний DEL звільняє будь-чиє блокування)
spec-01-8-refused-release = після відхиленого звільнення блокування лишилося зайнятим
spec-01-8-holder-releases = власник може звільнити блокування
spec-01-8-released-taken = звільнене блокування можна взяти
spec-01-8-larger-fence = кожне взяття блокування отримує більший огороджувальний токен: { $first }, потім { $second }
spec-01-8-expired-taken = щойно оренда призупиненого власника сплила, блокування можна взяти
spec-01-8-new-fence-larger = огороджувальний токен нового власника має бути більшим
spec-01-8-late-write = запис призупиненого власника зі старим огороджувальним токеном має бути відхилено
spec-01-8-stored-new = збережене значення має бути від нового власника
spec-01-8-late-release = звільнення від призупиненого власника має бути відхилено
spec-01-8-new-holder = новий власник досі тримає блокування
spec-01-8-first-write = перший запис, з токеном 0, приймається
spec-01-8-never-got = задача так і не отримала блокування за { $tries } спроб
spec-01-8-holder-write = запис власника приймається
spec-01-8-releases-own = власник звільняє власне блокування
spec-01-8-count = { $tasks } { $tasks ->
        [one] власник додав
        [few] власники додали
       *[other] власників додали
    } по одиниці
spec-01-8-fence-order = власники в порядку, в якому тримали блокування, мали огороджувальні токени { $fences }: кожен має бути більшим за попередній
spec-01-8-sent-nothing = виклик нічого не надіслав у Redis за 5 с
spec-01-8-proxy = з'єднання через проксі, що призупиняє
spec-01-8-pause-acquire = клієнт завмер усередині acquire, поки інший узяв блокування з токеном { $first } і звільнив його; потім завмерлий клієнт узяв блокування з токеном { $second }, меншим, ніж у власника перед ним, тож його записи відхиляються, поки він тримає блокування. Видавайте огороджувальний токен лише тоді, коли блокування вже ваше, у тому самому скрипті, що й SET NX
spec-01-8-lease-ran-out = щойно оренда сплила, блокування можна взяти
spec-01-8-pause-release = клієнт перевірив, що тримає блокування, завмер, поки його оренда не сплила й блокування не взяв інший, а тоді видалив блокування: він звільнив блокування нового власника. Порівнюйте й видаляйте в одному скрипті
spec-01-8-newest-write = запис найновішого власника приймається
spec-01-8-pause-write = запис з токеном { $older } прочитав збережений токен, завмер, поки власник із токеном { $newer } записував, а тоді записав поверх: старий токен переміг. Порівнюйте й записуйте в одному скрипті

## Назви перевірок (назви тестів специфікації); де перекладу немає, назва англійською

exercise-01-1-check-locked_counter_loses_nothing = лічильник із блокуванням нічого не втрачає
exercise-01-1-check-atomic_counter_loses_nothing = атомарний лічильник нічого не втрачає

## cargo xtask hint

hint-heading = підказка
hint-then = Виправте { $file }, потім `cargo xtask test { $id }`. Досі не виходить? `cargo xtask solution { $id }`.

## cargo xtask list

list-done = готово
list-tried = спроба
list-summary = Готово { $done } з { $total } вправ.
list-next = Далі: `cargo xtask test { $id }`.
list-all-done = Усе готово. `cargo xtask demo 01 --impl exercise --load 100` запускає ваш код наживо.
list-needs = { $id }: потрібен { $service }; `cargo xtask services` підкаже, де його взяти

## cargo xtask services і тест, якому бракує сервісу

services-found = знайдено { $found }
services-all = Можна запускати кожну вправу. Далі: `cargo xtask list`.
services-some-missing = Вправи в пам'яті працюють без сервісів; `cargo xtask list` показує, якій що потрібно.
service-found-env = { $name } на { $url } (з { $var })
service-found-local = { $name } на { $url } (на стандартному локальному порту)
service-missing = Тут потрібен { $name }, але жоден не відповів.
service-tried = спробувано { $what }
service-not-set = { $var } (не задано)
service-docker-answers = Docker: рушій відповідає, і `cargo xtask` запустив би контейнер
service-docker-none = Docker: рушія немає (немає DOCKER_HOST, немає /var/run/docker.sock)
service-ways = Отримати його можна будь-яким із цих способів:
service-set-postgres = задайте { $var }=postgres://USER:PASSWORD@HOST:5432/postgres (користувач, якому можна CREATE DATABASE)
service-run-postgres = запустіть PostgreSQL на 127.0.0.1:5432 з користувачем postgres і trust-автентифікацією, напр. `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`
service-set-rabbitmq = задайте { $var }=amqp://USER:PASSWORD@HOST:5672/%2f
service-run-rabbitmq = запустіть RabbitMQ на 127.0.0.1:5672 з guest/guest, напр. `rabbitmq-server -detached` або `docker run -d -p 5672:5672 rabbitmq:3`
service-set-redis = задайте { $var }=redis://HOST:6379
service-run-redis = запустіть Redis на 127.0.0.1:6379, напр. `redis-server --daemonize yes` або `docker run -d -p 6379:6379 redis:7`
service-docker = запустіть рушій Docker і запускайте тести через `cargo xtask` (test, list, verify, demo): він підніме тимчасовий контейнер через testcontainers і задасть для них { $var }
service-see = `cargo xtask services` показує, що знайдено.

## cargo xtask watch

watch-heading = racecourse watch: { $id }, { $file } · запуск { $runs } · { $trigger } · h підказка · l список · n далі · q вихід
watch-trigger-enter = Enter запускає
watch-trigger-save = збереження запускає
watch-passes = { $id } проходить. Enter: до { $next } · q: вихід
watch-all-done = { $id } проходить, і всі вправи готові. q: вихід
watch-back = Enter: назад до вправи

## cargo xtask solution, reset; помилки

solution-not-tried = { $id } ще не пробували: спершу запустіть `cargo xtask test { $id }` (або `cargo xtask solution { $id } --force`, щоб усе одно побачити розв'язок)
solution-diff = Це { $theirs } як різниця з вашим { $mine } (- ваше, + розв'язок).
reset-nothing = { $path } уже такий, як у курсі: скидати нічого.
reset-ask = Повернути { $path } до стану з курсу ({ $from })? Вашу версію буде збережено поруч. [y/N]
reset-unchanged = Нічого не змінено.
reset-done = { $path } повернуто до стану з курсу; ваша версія в { $keep }.
reset-no-git = git не знає { $path }: `cargo xtask reset` потребує курсу як git-клону
cannot-read = не вдається прочитати { $path }: { $error }
no-such-exercise = вправи { $id } немає; є { $ids }
progress-unknown = примітка: .racecourse-progress згадує вправу { $id }, якої в курсі немає; її пропущено
error = помилка: { $error }

## Вправи: назви, підказки, ймовірні причини зависання (course.toml)

exercise-01-1-title = Лічильник із втраченим оновленням
exercise-01-1-hint =
    Гонитва (race condition) тут — це читання, await, запис: поки одна задача чекає
    на `think()`, інша читає те саме старе значення, і один із двох записів губиться.
    - LockedCounter: зберігайте значення в `tokio::sync::Mutex<u64>` і тримайте
      guard упродовж усього читання, think, запису. Guard від `std::sync::Mutex`
      не можна тримати через `.await` у задачі, яка має бути `Send`: саме тому
      й існує асинхронний м'ютекс.
    - AtomicCounter: жодного блокування. `AtomicU64::fetch_add(1, Ordering::Relaxed)`
      читає й записує одним неподільним кроком; `Relaxed` досить, бо жодна інша
      пам'ять не публікується через цей лічильник.

exercise-01-2-title = Сховище з версіями: compare-and-set з обмеженими повторами
exercise-01-2-hint =
    `commit` має перевірити кожну очікувану версію й записати кожне нове значення
    під одним блокуванням, в одній критичній секції: «перевірити, потім записати»
    двома кроками — це знову гонитва.
    Поверніть `Conflict` з першим ключем, чия версія змінилася, і збільште версію
    кожного записаного ключа на одиницю.
    `transfer` — це цикл: прочитайте обидва рахунки, перевірте кошти, `think().await`,
    зробіть commit із прочитаними версіями. На `Conflict` хтось записав між ними:
    прочитайте знову й повторіть, щонайбільше `MAX_ATTEMPTS` разів, потім здайтеся
    з `TransferError::Contention`. Відхиляйте недодатну суму, переказ на той самий
    рахунок і невідомий рахунок ще до того, як торкатися сховища.

exercise-01-3-title = Блокування-оренда: токен власника, строк дії, очікування з тайм-аутом
exercise-01-3-hint =
    Для кожного ресурсу зберігайте токен власника й момент, коли спливає його оренда
    (lease), під одним `std::sync::Mutex` (без `.await` усередині). Ресурс вільний,
    коли його ніхто не тримає або оренда власника вже спливла:
    `tokio::time::Instant::now()` — це годинник, і тести призупиняють і
    пересувають його.
    `release` вдається, лише коли токен збігається з токеном поточного власника, а
    оренда ще не спливла; інакше `NotOwner`. Давайте кожній оренді свіжий
    випадковий токен (`uuid::Uuid::new_v4()`), ніколи не лічильник, який клієнт
    може вгадати.
    `acquire` крутиться в циклі: спробуйте; якщо зайнято, чекайте на
    `tokio::sync::Notify`, через який сповіщає `release`, або до кінця оренди власника,
    залежно від того, що настане раніше, але ніколи не довше за дедлайн
    (`tokio::time::timeout_at` або `select!` зі `sleep_until`).
    Створіть future `notified()` до перевірки, інакше звільнення між перевіркою
    та очікуванням загубиться.
exercise-01-3-stuck = очікування, що ніколи не закінчується: чи спливає кожна оренда, чи прокидається задача, що чекає, коли блокування звільняють, і чи зупиняється кожне очікування на своєму дедлайні?

exercise-01-4-title = Резервування товару через SELECT ... FOR UPDATE
exercise-01-4-hint =
    Одна транзакція: `SET LOCAL lock_timeout = '...'` (мілісекунди з
    `self.lock_timeout` вставте в текст запиту форматуванням; SET не приймає
    bind-параметрів), потім
    `SELECT stock, reserved FROM products WHERE id = $1 FOR UPDATE`. Тепер рядок
    ваш до COMMIT: кожен інший покупець чекає на цьому SELECT. Перевірте
    `stock - reserved >= qty`, `UPDATE products SET reserved = reserved + $2`,
    `INSERT INTO orders ... RETURNING id`, COMMIT.
    Немає рядка: `UnknownProduct`. Не вистачає: `OutOfStock` (відкинута транзакція
    відкочується). Очікування блокування довше за lock_timeout падає з SQLSTATE
    55P03: перетворіть це на `Busy` (див. `racecourse_01::inventory::is_lock_timeout`).

exercise-01-5-title = Резервування товару одним умовним UPDATE
exercise-01-5-hint =
    Нехай база даних перевіряє й записує одним кроком:
    `UPDATE products SET reserved = reserved + $2 WHERE id = $1 AND stock - reserved >= $2`.
    Блокування рядка, яке бере UPDATE, змушує другого покупця заново обчислити WHERE
    на новому рядку, тож перевірка ніколи не буває застарілою. Загорніть UPDATE у CTE
    і вставте замовлення з нього:
    `WITH r AS (UPDATE ... RETURNING id) INSERT INTO orders (product_id, buyer, qty) SELECT id, $3, $2 FROM r RETURNING id`
    Один обмін із базою (round trip). Жодного рядка у відповідь — товару немає в
    наявності або такого товару немає взагалі: лише тоді шукайте товар, щоб
    розрізнити.

exercise-01-6-title = Оптимістичні рейтинги: WHERE version = $n, повтор із затримкою
exercise-01-6-hint =
    Прочитайте `rating_count, rating_sum, version`, обчисліть нові значення, потім
    `UPDATE books SET rating_count = $2, rating_sum = $3, version = version + 1 WHERE id = $1 AND version = $4`.
    `rows_affected() == 0` означає, що хтось інший оновив рядок між ними: нічого не
    записано, тож прочитайте знову й повторіть. Між спробами засинайте на випадковий
    час (повний джитер, full jitter) у межах стелі, що подвоюється з кожною спробою,
    напр. до 1, 2, 4 ... 64 мс: без джитера ті, хто програв, повторюють у ногу й
    знову зіштовхуються.
    Перевірте кількість зірок (від 1 до 5) до будь-якого запиту; здайтеся з
    `Contention` після `MAX_ATTEMPTS`.

exercise-01-7-title = Захист від втраченого оновлення в HTTP: ETag, If-Match, 412, 428
exercise-01-7-hint =
    GET віддає документ з `ETag: "<version>"` (разом із лапками: тег сутності
    (entity tag) — це рядок у лапках). PUT читає `If-Match`: його немає — 428
    Precondition Required; є, але не поточний тег — 412 Precondition Failed; `*`
    збігається з будь-яким наявним документом. Використайте
    `racecourse_01::etag::parse_if_match`.
    Гонитва — між перевіркою версії й записом: робіть обидва всередині
    `DocumentStore::replace`, під одним блокуванням, і відповідайте 200 з новим ETag.
    Помилки йдуть назовні як `racecourse_kit::problem::Problem`.

exercise-01-8-title = Блокування в Redis з огороджувальним токеном
exercise-01-8-hint =
    acquire: `SET <lock key> <random owner> NX PX <ttl>` бере блокування атомарно
    (NX) і змушує блокування власника, що впав, зникнути саме собою (PX). Лише якщо
    SET вдався, зробіть `INCR` лічильника огороджувальних токенів (fencing token).
    Робіть обидва в одному скрипті Lua: двома командами клієнт може витягти токен,
    втратити блокування, пізніше виграти його знову й тримати менший токен, ніж
    власник перед ним.
    release: скрипт Lua, який видаляє ключ, лише якщо в ньому досі ваше значення
    власника (`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`).
    Звичайний DEL видалив би блокування того, хто тримає його зараз.
    write: одне лише блокування не зупинить власника, що завмер довше за свій TTL.
    Сховище має відмовляти токену, меншому за найбільший, який воно бачило: один
    скрипт Lua порівнює токен зі збереженим і записує обидва або відмовляє.

exercise-02-1-title = Сховище ідемпотентності: новий, у роботі, повтор відповіді, невідповідність, строк дії
exercise-02-1-hint =
    Тримайте один `std::sync::Mutex<HashMap<String, Entry>>`, де запис містить
    відбиток (fingerprint) запиту, його стан (у роботі або завершений, з відповіддю)
    і момент, коли він спливає. Нічого всередині не мусить чекати (await).
    begin: візьміть блокування один раз і під ним знайдіть ключ і, якщо живого запису
    немає, вставте заявку (claim). Пошук під одним блокуванням і вставка під іншим
    (або `.await` між ними) дозволяє двом запитам обом нічого не знайти.
    Спершу порівняйте відбиток: живий запис з іншим відбитком — це `Mismatch`, у
    роботі він чи завершений. Запис, що сплив, вважається відсутнім.
    Заявка спливає після оренди (lease), завершений запис — після строку зберігання
    (retention), відлікованого від `complete`: один строк для обох дозволяє заявці
    запиту, що впав, блокувати його повтор цілу добу. Годинник —
    `tokio::time::Instant`, який специфікація призупиняє.
    abandon видаляє лише заявку в роботі; complete перетворює заявку на відповідь.

exercise-02-2-title = Шар Idempotency-Key: 400, 409, 422, повтор відповіді, ключі окремо для кожного користувача
exercise-02-2-hint =
    Для POST: прочитайте `x-user` (немає: problems::missing_user) і ключ (зніміть
    одну пару лапок, далі від 1 до 255 байтів `is_ascii_graphic`, інакше
    problems::invalid_key). Прочитайте тіло через `axum::body::to_bytes`, візьміть
    `fingerprint(method, path, body)` і зберіть запит наново через
    `Request::from_parts(parts, Body::from(bytes))`.
    Прив'яжіть ключ до користувача ще до того, як він дійде до сховища, напр.
    `format!("{"{"}{"}"}:{"{"}user{"}"}:{"{"}key{"}"}", user.len())`: сам лише ключ дозволяє bob прочитати відповідь alice.
    Викличте `store.begin` один раз, і хай вирішує його відповідь: ніколи не шукайте
    ключ одним кроком, щоб заявити його іншим. New: запустіть `inner`; 4xx означає,
    що роботу відхилено, тож `abandon`; усе інше (і 5xx теж) іде в `complete` з
    його статусом, кожним заголовком і тілом. Replay: зберіть ту відповідь наново,
    разом із заголовками, і додайте `Idempotent-Replayed: true`. InFlight: 409 з
    `Retry-After`. Mismatch: 422. Нічого з того, що ви відповідаєте самі, не
    зберігається.

exercise-02-3-title = Сховище ідемпотентності в Redis: SET NX PX, оренда і строк зберігання
exercise-02-3-hint =
    begin: заявляйте однією командою, `SET <entry_key> <in_flight(fingerprint)> NX PX
    <lease in ms>`: NX — щоб два запити ніколи не заявили обидва, PX — щоб заявка
    запиту, що впав, сплила. Якщо SET не вдався, відповідайте з того, що ключ
    містить зараз: `Entry::decode(value).answer(fingerprint)`. GET перед SET
    відповідає зі значення, яке хтось міг відтоді змінити; робіть SET NX PX і GET
    в одному скрипті Lua (`if redis.call('SET', ...) then return false end return
    redis.call('GET', KEYS[1])`, з `redis::Script`).
    complete: скрипт, який читає заявку і, якщо вона досі `in_flight\n..`,
    робить SET `completed\n<its fingerprint>\n<response_json(response)>` з PX
    <retention>: SET без PX скидає TTL і зберігає запис назавжди.
    abandon: скрипт, який робить DEL ключа, лише поки той є заявкою в роботі;
    звичайний DEL видаляє завершену відповідь, і наступний повтор знову списує гроші.

exercise-02-4-title = Оплата рівно один раз у PostgreSQL: рядок ключа, точки відновлення, прибиральник
exercise-02-4-hint =
    Одна транзакція на крок, і кожна починається однаково:
    `INSERT INTO idempotency_keys (user_id, key, amount) VALUES ($1, $2, $3)
    ON CONFLICT (user_id, key) DO NOTHING`, потім `SELECT id, amount,
    recovery_point, payment_id, response ... WHERE user_id = $1 AND key = $2
    FOR UPDATE`. Дублікат чекає на цьому блокуванні, а потім читає `finished`.
    Інша сума: KeyReused. Далі, за точкою відновлення (recovery point), у циклі:
    started: вставте (INSERT) платіж і задайте `recovery_point = 'payment_created',
    payment_id = <its id>` у тій самій транзакції; commit; ще одне коло.
    payment_created: `gateway.charge(&format!("pay_{"{"}payment_id{"}"}"), amount)`,
    потім збережіть `receipt.to_json()` з `recovery_point = 'finished'`; commit.
    finished: `Receipt::from_json(&response)`.
    Ніколи не списуйте з ідентифікатором (reference), якого повтор не знайде знову: платіж,
    створений у тій самій транзакції, що й списання, відкочується разом із нею,
    коли відповідь шлюзу губиться, і новий платіж повтору списується вдруге.
    reap: `DELETE ... WHERE created_at < now() - make_interval(secs => $1)`.

exercise-02-5-title = Природно ідемпотентні PUT і DELETE, дедуплікація за хешем вмісту
exercise-02-5-hint =
    Тримайте один `std::sync::Mutex<HashMap<String, Slot>>` і події під тим самим
    блокуванням, де слот містить версію, хеш вмісту й тіло, або нічого (надгробок,
    tombstone, після видалення).
    put: розберіть тіло (`serde_json::from_str::<Value>`, інакше InvalidJson) і
    хешуйте розібране значення через `content_hash`: байти, як їх надіслано,
    відрізняються, навіть коли різниця лише в порядку ключів чи пробілах. Потім, під
    одним блокуванням: той самий хеш, що в живого документа, — Unchanged; інакше
    збільште версію, збережіть, додайте подію.
    Порівняння під одним блокуванням і запис під іншим дозволяє двом однаковим PUT
    обом побачити зміну.
    delete: живий документ стає надгробком, що зберігає свою версію (одна подія);
    надгробок або нічого — це AlreadyGone, без події. Видалення запису починає
    версію знову з 1, і старий ETag збігається з новим документом.

exercise-03-1-title = Голос в опитуванні: унікальний ключ (poll, voter) і ON CONFLICT
exercise-03-1-hint =
    Нехай вирішує унікальний ключ, в одному запиті:
    `INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3) ON CONFLICT (poll_id, voter) DO NOTHING RETURNING id`
    з `fetch_optional`. Повернувся рядок: голос зараховано. Рядка немає: виборець
    уже голосував (ON CONFLICT дочекався, поки інша вставка зафіксується), тож
    `SELECT id, option_id FROM votes WHERE poll_id = $1 AND voter = $2` і відповідайте
    `AlreadyVoted` з цим голосом. SELECT перед INSERT дозволяє двом запитам обом
    нічого не знайти, у транзакції чи без неї; DO UPDATE змінив би збережений голос.
    Помилка зовнішнього ключа (`racecourse_03::poll::is_foreign_key_violation`) — це
    `UnknownOption`.

exercise-03-2-title = Зміна голосу: підсумки в тій самій транзакції
exercise-03-2-hint =
    Одна транзакція (`self.pool.begin()`):
    1. `INSERT ... ON CONFLICT (poll_id, voter) DO NOTHING`: один змінений рядок
       означає перший голос: додайте 1 до підсумку варіанта, commit, `New`.
    2. Інакше `SELECT option_id FROM votes WHERE poll_id = $1 AND voter = $2 FOR UPDATE`:
       друга зміна того самого голосу тепер чекає тут, доки ви не зробите commit, а
       потім читає ваш результат. Без FOR UPDATE обидві читають старий варіант.
    3. Той самий варіант: `Unchanged` (відкинута транзакція відкочується). Інакше
       `UPDATE votes SET option_id = ...`, потім -1 і +1 на двох підсумках,
       спершу менший id варіанта, хоч би куди переходив голос: протилежні порядки
       призводять до взаємного блокування (deadlock).
    Помилка зовнішнього ключа — це `UnknownOption`.

exercise-03-3-title = Лайки як ідемпотентні PUT і DELETE над множиною в Redis
exercise-03-3-hint =
    Множина `likers_key(prefix, post)` каже, кому подобається допис; лічильник
    `count_key(prefix, post)` завжди має дорівнювати її розміру. SADD повертає 1,
    лише коли когось додав: рахуйте лише тоді, і в тій самій команді, інакше клієнт,
    що помре між двома командами, назавжди залишить лічильник позаду. MULTI не може
    розгалужуватися за відповіддю SADD, тож використайте один скрипт Lua
    (`redis::Script`):
    `if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then redis.call('INCR', KEYS[2]) end return tonumber(redis.call('GET', KEYS[2]) or '0')`
    і те саме з SREM і DECR для unlike. count: GET лічильника, 0, якщо його не задано.

exercise-03-4-title = Щоденна винагорода: раз на користувача за місцеву календарну добу
exercise-03-4-hint =
    Час — це `self.clock.now()` (секунди Unix), ніколи не системний. Місцева доба:
    `(now + zone.offset_at(now) as i64).div_euclid(DAY)`; доба за UTC дозволяє
    користувачу на захід від Ґринвіча отримати винагороду двічі за один вечір.
    Одна транзакція: `INSERT INTO reward_claims (user_id, day, claimed_at) ... ON CONFLICT (user_id, day) DO NOTHING`;
    лише якщо вставка відбулася, нарахуйте через
    `INSERT INTO wallets (user_id, coins) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET coins = wallets.coins + EXCLUDED.coins RETURNING coins`.
    Спершу нарахування або спершу перевірка — і дублікати отримують виплату.
    Retry-After: наступна місцева північ `m = (day + 1) * DAY` — це момент UTC
    `m - offset`, зі зміщенням, чинним саме о тій півночі: вгадайте
    `g = m - offset_at(now)`, потім візьміть `m - offset_at(g)`. `(that - now)` секунд.

exercise-03-5-title = Купони: одноразові та N-разові
exercise-03-5-hint =
    Одна транзакція, два запити, ніколи не підрахунок, а потім вставка:
    1. `INSERT INTO redemptions (code, redeemer) VALUES ($1, $2) ON CONFLICT (code, redeemer) DO NOTHING RETURNING id`:
       немає рядка — `AlreadyRedeemed`; помилка зовнішнього ключа — `UnknownCoupon`.
    2. `UPDATE coupons SET uses = uses + 1 WHERE code = $1 AND uses < max_uses RETURNING max_uses - uses`:
       блокування рядка змушує кожного, хто використовує купон, заново перевірити
       `uses < max_uses` на найновішому рядку. Рядок не повернувся: `UsedUp`, а
       повернення з функції відкидає транзакцію, і вставка скасовується. Commit лише
       після обох.
    Читання `uses` і запис `uses = <read> + 1` губить оновлення; UPDATE і вставка,
    зафіксовані окремо, дозволяють подвійному кліку витратити використання.

exercise-04-1-title = Відро токенів: сплеск, поповнення, забуті неактивні ключі
exercise-04-1-hint =
    GCRA зберігає один момент на ключ: коли його відро знову повне (`full_at`).
    Запит дозволено, якщо `max(full_at, now) + interval - now` (назвімо це `ahead`)
    не більше за `burst * interval`; тоді `full_at = now + ahead` і
    `remaining = (burst * interval - ahead) / interval`. Відмова:
    `retry_after = ahead - burst * interval`, і нічого не змінюється.
    З лічильником токенів натомість: додайте `elapsed / interval` цілих токенів і
    пересуньте позначку часу на стільки ж інтервалів, а не до `now` (залишок — це
    вже зароблений час), і обмежте сплеском (burst).
    Один `std::sync::Mutex<HashMap<String, Instant>>`, пошук і оновлення під одним
    блокуванням. Забувайте ключі з `full_at <= now` (`retain`), коли від останнього
    прибирання минув `quota.full_after()`: судіть за відром, а не за тим, коли ключ
    бачили востаннє.

exercise-04-2-title = Фіксоване вікно й ковзне вікно
exercise-04-2-hint =
    Фіксоване: індекс вікна = `start.elapsed().as_nanos() / window.as_nanos()`;
    лічильник на ключ для цього індексу, який скидається, коли індекс змінюється.
    Ковзне, як журнал: на ключ `VecDeque<Instant>` дозволених запитів; знімайте
    спереду ті, для яких `now - t >= window`; дозвольте (і додайте `now`), якщо
    лишилося менше за `limit`. Додавайте лише дозволені запити: якщо додавати й
    відхилені, наполегливий клієнт уже ніколи не пройде.
    Ковзне, як зважений лічильник: лічильники попереднього й поточного вікна;
    дозвольте, якщо `current + ceil(previous * (window - into) / window) < limit`.
    Частку попереднього округлюйте вгору: округлення вниз пропускає на межі один
    зайвий запит.

exercise-04-3-title = Розподілений обмежувач у Redis: один скрипт Lua, TTL, fail open чи fail closed
exercise-04-3-hint =
    Один `redis::Script` (тримайте його в `static LazyLock<Script>`), один
    `invoke_async` на перевірку, `KEYS[1] = bucket_key(prefix, key)`, `ARGV` —
    інтервал у мікросекундах і сплеск (burst). У скрипті: `redis.call('TIME')`
    як now (`t[1] * 1000000 + t[2]`), GET `full_at` ключа (або now) і GCRA з 04.1;
    якщо дозволено,
    `redis.call('SET', KEYS[1], string.format('%d', full_at), 'PX', math.ceil(ahead / 1000))`
    і поверніть `{"{"}1, remaining{"}"}`, інакше `{"{"}0, wait in microseconds{"}"}`.
    INCR, потім EXPIRE, або GET, потім SET, — це дві команди: між ними встряє інший
    екземпляр (або збій). SET без PX зберігає ключ назавжди.
    Будь-який `Err` від Redis: `racecourse_04::redis_limiter::outage(self.on_outage)`.
exercise-04-3-stuck = перевірка, що чекає вічно: цикл повторів на помилці Redis (натомість одразу відповідайте так, як каже on_outage) або власне блокування чи очікування між двома командами

exercise-04-4-title = Шар обмеження частоти: 429, Retry-After, RateLimit-Policy і RateLimit, на користувача й ендпоінт
exercise-04-4-hint =
    policy = `config.policy_for(request.uri().path())`. Клієнт: `x-user`, якщо є
    (`user:<name>`), інакше співрозмовник (peer),
    `request.extensions().get::<ConnectInfo<SocketAddr>>()`. Лише якщо для
    співрозмовника `config.is_trusted_proxy`, пройдіть `X-Forwarded-For` справа
    наліво (розбийте за `,`, обріжте пробіли, розберіть як `IpAddr`), пропустіть
    довірені проксі, візьміть першу іншу адресу. Ніколи не крайню ліву: її написав клієнт.
    `let usage = windows.hit(&policy, &client)` один раз. Дозволено: `inner.call`.
    Відхилено: `too_many_requests(&policy, &usage).into_response()` плюс
    `Retry-After: usage.reset_secs()`. В обох випадках:
    `ratelimit-policy: "<name>";q=<quota>;w=<window secs>` і
    `ratelimit: "<name>";r=<remaining>;t=<reset_secs>`; ім'я в подвійних
    лапках (sf-string), без пробілів.

exercise-04-5-title = Кеш LRU з TTL, O(1)
exercise-04-5-hint =
    `impl<K: CacheKey> LruCache<K> for Lru<K>`, де
    `index: HashMap<K, usize>` указує на слот у `slots: Vec<Slot<K>>`, де слот — це
    ключ, значення, строк дії, `prev` і `next` (індекси, `usize::MAX`, якщо немає),
    плюс `head` (найсвіжіший) і `tail`. Два помічники: `unlink(i)` і `push_front(i)`.
    get: знайдіть, поверніть None, якщо `Instant::now() >= expires` (Instant з tokio),
    інакше unlink, push_front, клонуйте значення.
    put: наявний ключ: нове значення й строк дії, unlink, push_front. Новий ключ:
    додайте слот, поки не досягнуто ємності, інакше перевикористайте слот хвоста
    (спершу приберіть його ключ з індексу). `VecDeque` з `retain` чи `position` —
    це перебір (scan): специфікація рахує ключі, які він порівнює.

exercise-04-6-title = Пошук у каталозі з cache-aside: версійний простір імен, single-flight
exercise-04-6-hint =
    search: спершу `version = current_version(...)`, потім
    `key = entry_key(prefix, version, query)`; GET його. На промаху (miss) усі,
    хто промахнувся, ділять одне завантаження на ключ:
    `Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Result<..>>>>>`,
    `cell.get_or_init(|| load)`, потім приберіть запис (якщо він досі ваш).
    load: ще раз GET ключа (промах міг статися якраз перед тим, як попереднє
    завантаження записало значення), інакше `query_products`, потім
    `SET key json EX 300`.
    update_price: `set_price` (коли він повертається, зміну зафіксовано), потім `INCR
    version_key(prefix)`. Збільшення версії першим дозволяє пошуку між ними
    закешувати старий рядок під новою версією; видалення ключів (SCAN, DEL) програє
    пошуку, що пише після видалення, а ключ версії не має спливати.

exercise-05-1-title = Запобіжник: замкнений, розімкнений, напіврозімкнений, на вставленому годиннику
exercise-05-1-hint =
    Один `std::sync::Mutex<Inner>`: стан, епоха (число, яке ви змінюєте на кожному
    переході), коли змінився стан, `VecDeque<bool>` останніх `window` результатів,
    невдачі поспіль і проби, видані й повернуті.
    Перш ніж робити будь-що, у кожному методі: якщо розімкнений (open) і
    `since.elapsed() >= open_wait`, перейдіть у напіврозімкнений (half-open). Вхід
    у будь-який стан збільшує епоху й обнуляє лічильники.
    acquire: замкнений (closed) дає дозвіл (permit); розімкнений відмовляє;
    напіврозімкнений дає його, лише поки `probes_out < half_open_probes`, і
    рахує його під тим самим блокуванням (перевірка одним кроком і підрахунок
    іншим пропускає всіх 64 викликачів).
    record: спершу `if permit.epoch != epoch {"{"} return {"}"}`. Невдача — це
    `Outcome::Failure` або `permit.started.elapsed() >= slow_call`. Замкнений:
    успіх обриває серію невдач; розмикається через серію або через `failures * 100 >=
    percent * len`, щойно `len >= minimum_calls`. Напіврозімкнений: невдача
    знову розмикає, останній успіх замикає.

exercise-05-2-title = Повтор: експоненційна затримка зі стелею, повний джитер, бюджет, Retry-After
exercise-05-2-hint =
    Тримайте політику, `Mutex<Jitter>`, створений один раз із seed, і бюджет як
    `Mutex<u64>` тисячних часток повтору, починаючи з `budget_retries * 1000`.
    call: додайте до бюджету `budget_percent * 10` (ніколи не понад повний бюджет),
    потім зробіть спробу. Поки спроба — це `TimedOut`, 429 чи 503 і спроби ще
    лишилися: `Retry-After` понад `cap` завершує цикл; візьміть 1000 із бюджету
    (немає — завершіть цикл); чекайте `Retry-After`, якщо він є, інакше
    `jitter.below(min(cap, base * 2^n))` для n-го повтору, рахуючи від 0
    (використовуйте `checked_mul` і беріть випадкове число, лише коли чекаєте так);
    спробуйте знову. Поверніть останню спробу. Очікування — це `tokio::time::sleep`:
    годинник специфікації призупинено.

exercise-05-3-title = Тайм-аут, перегородка й скидання навантаження як шари tower
exercise-05-3-hint =
    bulkhead (перегородка): `places.inside.clone().try_acquire_owned()`: місце
    одразу — запустіть обробник, тримаючи його. Інакше `places.waiting.try_acquire()`:
    немає місця, щоб чекати, — одразу `overloaded()`. Інакше
    `tokio::time::timeout(places.max_wait, places.inside.clone().acquire_owned())`:
    місце вчасно — запустіть обробник (дозвіл на очікування відпустіть до чи після,
    годиться будь-як); місця немає — overloaded().
    Тримайте дозвіл (permit) на місце живим, доки внутрішній сервіс не відповість;
    дозвіл у змінній повертає його власний Drop навіть тоді, коли клієнт іде, а future
    запиту відкидається посеред `.await` (лічильник, який зменшують у рядку після
    `.await`, — ні).
    timeout (тайм-аут): `tokio::time::timeout(limit, inner.call(request))`; на `Err`
    відповідайте `timed_out(limit)`. Не запускайте обробник через spawn: відкинутий
    JoinHandle не скасовує задачу, і завислий обробник працював би далі.
    `let Ok(response) = inner.call(request).await;` компілюється: помилка тут —
    `Infallible`.
exercise-05-3-stuck = запит без відповіді: чи обмежене кожне очікування на місце через max_wait (tokio::time::timeout навколо acquire), і чи відповідає шар тайм-ауту, коли обробник не відповідає ніколи?

exercise-05-4-title = Стійкий клієнт для ненадійного платіжного шлюзу
exercise-05-4-hint =
    Напишіть одну спробу окремим методом: `self.breaker.acquire()` (Err:
    `ChargeError::CircuitOpen`, одразу поверніться); потім
    `tokio::time::timeout(self.config.attempt_timeout, self.gateway.charge(order, amount))`:
    `Err(_)` — це `TimedOut`, `Ok(Err(Unavailable))` — це `Unavailable`, відмова
    банку — це `Declined`. Потім ЗАВЖДИ `self.breaker.record(permit, outcome)`:
    Failure для Unavailable і TimedOut, Success для списання й відмови (шлюз
    відповів). Тайм-аут, що повертається до запису результату, ніколи не розімкне
    запобіжник.
    charge: до `max_attempts` спроб; після спроби з Unavailable чи TimedOut чекайте
    `backoff`, щоразу подвоюючи; усе інше (списання, відмова, CircuitOpen) — це
    відповідь. Тайм-аут обгортає кожну спробу, а не весь цикл.
exercise-05-4-stuck = списання без відповіді: чи кожен виклик шлюзу всередині tokio::time::timeout(config.attempt_timeout, ...)?

exercise-06-1-title = Оформлення: резерв, оплата, підтвердження чи звільнення
exercise-06-1-hint =
    Три кроки, кожен — один запит, що фіксується сам по собі; жодної відкритої
    транзакції, поки працює шлюз.
    1. Зарезервуйте й створіть замовлення разом:
    `WITH p AS (UPDATE products SET reserved = reserved + $2 WHERE id = $1 AND
    stock - reserved - sold >= $2 RETURNING id, price) INSERT INTO orders
    (product_id, buyer, qty, amount) SELECT id, $3, $2, price * $2 FROM p
    RETURNING id, amount`. Немає рядка: знайдіть товар, щоб відрізнити OutOfStock
    від UnknownProduct.
    2. `gateway.charge(&payment_key(order), amount)` (FakeGateway модуля 05;
    ключ — ключ ідемпотентності). На `Err(GatewayError::Unavailable)`, тобто 503
    (гроші могли вже піти), запитайте знову з ТИМ САМИМ ключем (до
    PAYMENT_ATTEMPTS): той самий ключ поверне те списання замість другого.
    Після останньої 503: `PaymentInDoubt(order)`, замовлення лишається зарезервованим.
    3. Оплачено: замовлення в 'paid' з його списанням, reserved - qty, sold + qty.
    Відмова: замовлення в 'released', reserved - qty; поверніть Declined(order).
    Кожне одним запитом (`WITH o AS (UPDATE orders ... WHERE id = $1 AND state =
    'reserved' RETURNING product_id, qty) UPDATE products ... FROM o`).

exercise-06-2-title = Гаманець: без мінусу, рядок журналу на кожен рух
exercise-06-2-hint =
    debit: відмовте, якщо amount <= 0; далі одна транзакція:
    `UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2
    RETURNING balance` (немає рядка: Insufficient, якщо рахунок існує, інакше
    UnknownAccount), рядок журналу (ledger) з (account, -amount, 'debit'), COMMIT.
    Перевірка — у WHERE: читання, перевірка в Rust і запис дозволяють двом
    списанням витратити ті самі гроші.
    transfer: відмовте, якщо amount <= 0 або from == to; одна транзакція:
    заблокуйте обидва рядки в порядку id, `SELECT id FROM accounts WHERE id IN
    ($1, $2) ORDER BY id FOR UPDATE` (менше двох рядків: UnknownAccount),
    захищене списання, зарахування, два рядки журналу (kind 'transfer'), COMMIT.
    Блокування в напрямку руху грошей призводить до взаємного блокування (deadlock)
    двох зустрічних переказів.

exercise-06-3-title = Черга листів: SKIP LOCKED, оренди, наростаюча затримка, мертві листи
exercise-06-3-hint =
    claim, один запит:
    `UPDATE email_jobs SET attempts = attempts + 1, leased_until = now() +
    make_interval(secs => $2) WHERE id IN (SELECT id FROM email_jobs WHERE
    state = 'queued' AND run_at <= now() AND (leased_until IS NULL OR
    leased_until <= now()) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING id, recipient, attempts` (`$2`: оренда в секундах, f64).
    SKIP LOCKED розводить дві заявки в ту саму мить; оренда (lease) тримає
    наступну заявку, мить по тому, подалі від завдань, які ще надсилаються, і
    повертає завдання мертвого обробника, коли спливає.
    complete: state 'done'. fail: `state = CASE WHEN attempts >= max THEN
    'dead' ELSE 'queued' END`, `run_at = now() + make_interval(secs => backoff *
    power(2, attempts - 1))`, leased_until NULL, last_error.
exercise-06-3-stuck = черга, що ніколи не спорожніє: чи повертаються завдання обробника, що впав, коли спливає їхня оренда?

exercise-06-4-title = Сага: компенсації у зворотному порядку, продовження з журналу
exercise-06-4-hint =
    drive — це цикл; кожне коло — одна транзакція:
    `SELECT ... FROM sagas WHERE id = $1 FOR UPDATE`, потім її рядки saga_log.
    completed: поверніть Completed. compensated: поверніть Compensated.
    running: перший крок без рядка 'do': `perform(&mut tx, &saga, step)`
    і INSERT його рядка 'do' у тій самій транзакції; Refused: задайте state
    'compensating' і failed_step; кроків не лишилося: 'completed'.
    compensating: ОСТАННІЙ крок із рядком 'do' і без рядка 'undo':
    `compensate(&mut tx, ...)` і його рядок 'undo', у тій самій транзакції; не
    лишилося жодного: 'compensated'. COMMIT, ще одне коло.
    Крок і його рядок журналу фіксуються разом або не фіксуються взагалі: збій між
    двома транзакціями залишив би виконаний крок, про який журнал не знає, і
    продовжена сага виконала б його двічі.

exercise-06-5-title = Прийняти зараз, обробити потім: 202, черга RabbitMQ, обмежені обробники
exercise-06-5-hint =
    accept: `INSERT INTO intake_orders (item, qty) VALUES ($1, $2) RETURNING id`;
    `channel.confirm_select(ConfirmSelectOptions::default())` (ідемпотентно);
    `channel.basic_publish("".into(), queue.as_str().into(),
    BasicPublishOptions::default(), id.to_string().as_bytes(),
    BasicProperties::default()).await?.await?` (другий await — це підтвердження
    (confirm) брокера); відповідайте `Accepted {"{"} id, status: "QUEUED" {"}"}`. Ніколи
    не обробляйте в самому запиті.
    work: `channel.basic_qos(PREFETCH, ...)`, потім `basic_consume` і
    `while let Some(delivery) = consumer.next().await` (futures_util::StreamExt).
    Розберіть id з `delivery.data`, запустіть задачу, яка виконує
    `processor.process(id)`, а потім `delivery.ack(...)` на успіх або
    `delivery.nack(BasicNackOptions {"{"} requeue: true, .. {"}"})` на невдачу.
    Замовлення, підтверджене (ack) до обробки, гине разом зі своїм обробником; а
    prefetch обмежує лише непідтверджені доставки.
exercise-06-5-stuck = accept, що чекає на обробку, або обробник, що ніколи не повертається: чи відповідає accept одразу після того, як публікацію підтверджено?

exercise-06-6-title = Транзакційна вихідна скринька: ретрансляція з підтвердженнями, застосування один раз
exercise-06-6-hint =
    place_order: одна транзакція: INSERT замовлення, INSERT INTO outbox
    (order_id, qty), COMMIT. Id події має значення за замовчуванням (UUID).
    relay_once: `channel.confirm_select(...)`; одна транзакція: `SELECT
    event_id, order_id, qty FROM outbox WHERE published_at IS NULL ORDER BY id
    LIMIT $1 FOR UPDATE SKIP LOCKED` (як OrderPlaced); опублікуйте кожну
    (`event.to_json()`) і дочекайтеся її підтвердження (`.await?.await?`); зупиніться
    на першій, що не `is_ack()` (черга повна); `UPDATE outbox SET
    published_at = now() WHERE event_id = ANY($1)` для підтверджених;
    COMMIT. Позначену до того, як її отримав брокер, подію можна загубити;
    опубліковану й ще не позначену буде опубліковано знову: тому споживач і
    відсіює дублікати.
    consume: `basic_consume`, потім на кожну доставку одна транзакція: `INSERT INTO
    applied_events VALUES ($1) ON CONFLICT DO NOTHING`; лише якщо рядок
    вставлено, `UPDATE sales_stats SET orders = orders + 1, units = units + qty`;
    COMMIT; потім `delivery.ack(...)`.

exercise-07-1-title = Черга очікування: точні позиції у списку Redis
exercise-07-1-hint =
    Позицію вирішує одна команда: RPUSH відповідає новою довжиною списку, а це й
    є місце id, який щойно додано. Спершу запишіть хеш запису
    (`HSET <entry_key> ticket <t> user <u>`), потім `RPUSH <queue_key> <id>` і
    відповідайте її результатом. Ніколи не рахуйте список до чи після (LLEN) і
    ніколи не ведіть власного лічильника (INCR): між ними встряє інше приєднання.
    position: `LPOS <queue_key> <id>` дає індекс від початку (nil, коли вже
    обслуговано); відповідайте index + 1. next: `LPOP`, потім
    `HMGET <entry_key> ticket user`.

exercise-07-2-title = Обробник: блокування через SET NX і токен власника, резерв один раз
exercise-07-2-hint =
    1. `SET <lock_key> <owner_token()> NX PX <LOCK_TTL ms>`: nil означає, що
    блокування має інший обробник, відповідайте Busy.
    2. Під блокуванням одна транзакція: `UPDATE tickets SET status = 'RESERVED',
    reserved_by = $2, reserved_until = $3 WHERE id = $1 AND status = 'IN_QUEUE'`
    з `$3 = clock.now_ms() + ttl`. Немає рядка: Lost (квиток уже має хтось). Інакше
    `INSERT INTO cart_items (user_id, ticket_id, expires_at)`, commit.
    Блокування лише впорядковує обробників: другий резерв зупиняє саме
    WHERE status = 'IN_QUEUE'.
    3. Звільняйте лише власне блокування, одним кроком: скрипт Lua
    `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL',
    KEYS[1]) end return 0` (`redis::Script`). Звичайний DEL звільняє блокування,
    яке взяв інший обробник після того, як ваше спливло.

exercise-07-3-title = Прибиральник прострочених резервів проти оформлення: перемагає рівно один
exercise-07-3-hint =
    1. Складіть список прострочених: `SELECT id FROM tickets WHERE status = 'RESERVED' AND
    reserved_until <= $1` (лише кого блокувати: вирішує UPDATE нижче).
    2. Заблокуйте кожен так, як це робить обробник: `SET <lock_key> <owner_token()> NX PX
    <LOCK_TTL ms>`; nil означає, що його тримає обробник: пропустіть, наступний
    прохід його звільнить.
    3. Одна транзакція для квитків, які ви заблокували: `UPDATE tickets t SET status =
    'AVAILABLE', reserved_by = NULL, reserved_until = NULL FROM (SELECT id,
    reserved_by FROM tickets WHERE id = ANY($2) AND status = 'RESERVED' AND
    reserved_until <= $1 FOR UPDATE) lapsed WHERE t.id = lapsed.id RETURNING
    t.id, lapsed.reserved_by`, потім `DELETE FROM cart_items WHERE ticket_id =
    ANY(...)`, COMMIT. FOR UPDATE чекає на оформлення, яке тримає рядок, а
    потім заново перевіряє WHERE на зафіксованому рядку: квиток, проданий тим
    часом, більше не підходить. `<=`: резерв дійсний, поки now < reserved_until,
    тож коли now == reserved_until, він належить прибиральнику.
    4. Звільніть кожне блокування, лише якщо воно досі ваше, скриптом Lua з 07.2
    (порівняти токен, потім DEL), навіть коли транзакція не вдалася.

exercise-07-4-title = Оформлення: кожен резерв дійсний, одна транзакція, або 410
exercise-07-4-hint =
    Одна транзакція, і блокування до перевірки:
    `SELECT t.id, t.price, t.status, t.reserved_by, t.reserved_until FROM
    cart_items c JOIN tickets t ON t.id = c.ticket_id WHERE c.user_id = $1
    ORDER BY t.id FOR UPDATE OF t`. Нічого: EmptyCart. Будь-який квиток не в стані
    RESERVED, не reserved_by цього користувача або з now >= reserved_until:
    поверніть Expired(ці id) (відкинута транзакція відкочується). Інакше вставте
    (INSERT) замовлення (RETURNING id), його order_items, `UPDATE tickets SET
    status = 'SOLD' WHERE id = ANY($1)`, видаліть (DELETE) рядки кошика, COMMIT.
    Звичайний SELECT, а потім UPDATE, лишає шпарину, в яку встигає прибиральник;
    UPDATE для кожного квитка окремо без транзакції продає пів замовлення.

exercise-07-5-title = Живі оновлення: кожній сторінці — події її користувача, ніхто не затримується
exercise-07-5-hint =
    Тримайте `Mutex<Vec<(String, mpsc::Sender<Event>)>>`: один запис на сторінку,
    тож користувач із двома вкладками має два. subscribe: `mpsc::channel(capacity)`,
    додайте (user, tx), поверніть rx. publish: візьміть блокування, потім `retain`
    кожну сторінку: пропустіть її, якщо `event.user()` — інший користувач; інакше
    `tx.try_send(event.clone())`, і відкиньте сторінку, коли це не вдається з
    `TrySendError::Closed`. Повний канал (`TrySendError::Full`) просто пропускає
    подію. Ніколи не `send().await`: одна сторінка, що перестала читати, затримала
    б кожну подію для всіх.

