# Повідомлення курсу українською: переклад catalogue/en/. Ідентифікатори ті
# самі, що в англійських файлах; `cargo xtask verify` не пропустить
# повідомлення, якого тут немає, чи змінну, якої код не передає. Назви,
# підказки та ймовірні причини зависання вправ (course.toml) — у
# exercises.ftl, як exercise-<id>-<поле>; пояснення специфікацій — у spec-NN.ftl.

## cargo xtask test

test-edit = редагуйте: { $file }
test-hint = підказка: cargo xtask hint { $id }
test-builds-on = спирається на: { $id }, ваш код у { $file }, який працює і тут: спершу доведіть { $id } до проходження
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
