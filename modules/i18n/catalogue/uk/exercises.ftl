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
    транзакції, поки триває оплата.
    1. Зарезервуйте й створіть замовлення разом:
    `WITH p AS (UPDATE products SET reserved = reserved + $2 WHERE id = $1 AND
    stock - reserved - sold >= $2 RETURNING id, price) INSERT INTO orders
    (product_id, buyer, qty, amount) SELECT id, $3, $2, price * $2 FROM p
    RETURNING id, amount`. Немає рядка: знайдіть товар, щоб відрізнити OutOfStock
    від UnknownProduct.
    2. `self.payments.charge(&payment_key(order), amount)`, один раз: це ваш
    клієнт із 05.4, який сам повторює запит після 503 чи тайм-ауту з тим самим
    ключем (ключ знаходить списання, відповідь на яке загубилась) і перестає
    викликати шлюз, що постійно падає. Жодного власного циклу і ніколи нового ключа.
    3. Ok(charge): замовлення в 'paid' з його списанням, reserved - qty, sold + qty.
    Err(ChargeError::Declined): замовлення в 'released', reserved - qty; поверніть
    Declined(order). Будь-яка інша помилка — не відмова (гроші могли вже піти):
    поверніть PaymentInDoubt(order, error) і лишіть замовлення зарезервованим.
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
    complete — одним запитом на всю пачку (batch) і лише для завдань, чия оренда
    досі належить цьому обробникові: передайте id і attempts двома масивами,
    `UPDATE email_jobs SET state = 'done', leased_until = NULL FROM
    unnest($1::bigint[], $2::int[]) AS mine(id, attempts) WHERE email_jobs.id =
    mine.id AND email_jobs.attempts = mine.attempts`. Кожна заявка (claim) додає
    спробу, тож завдання, яке відтоді забрав інший обробник, пішло далі й лишається його.
    fail: `state = CASE WHEN attempts >= max THEN 'dead' ELSE 'queued' END`,
    `run_at = now() + make_interval(secs => backoff * power(2, attempts - 1))`,
    leased_until NULL, last_error, `WHERE id = $1 AND attempts = $2 AND state =
    'queued'`: та сама перевірка оренди, що й у complete, тож обробник, який
    позначає завдання невдалим запізно, не чіпає завдання, яке відтоді захопив
    інший обробник, уже надіслане чи те, що ще надсилається.
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
