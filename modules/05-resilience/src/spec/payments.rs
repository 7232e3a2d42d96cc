//! Spec of 05.4: the client under test over a [`FakeGateway`] and the spec's
//! own breaker ([`RefBreaker`], so that 05.4 does not depend on 05.1), on
//! tokio's paused clock: a gateway that hangs for ever costs no real time, and
//! each charge's duration is exact.

use super::erased::DynPaymentClient;
use super::reference::RefBreaker;
use super::together;
use crate::breaker::{Breaker, BreakerConfig, State};
use crate::gateway::{FakeGateway, Mode};
use crate::payments::{ChargeError, ClientConfig};
use racecourse_kit::i18n::t;
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Makes a client over this gateway and breaker.
pub type MakeClient =
    fn(Arc<FakeGateway>, Arc<dyn Breaker>, ClientConfig) -> Arc<dyn DynPaymentClient>;

/// The checks of 05.4.
pub fn checks(make: MakeClient) -> Vec<Check> {
    vec![
        Check::new(
            "a_charge_goes_through_and_a_decline_is_not_retried",
            Runtime::PausedClock,
            a_charge_goes_through_and_a_decline_is_not_retried(make),
        ),
        Check::new(
            "a_failed_or_hung_attempt_is_retried_in_time",
            Runtime::PausedClock,
            a_failed_or_hung_attempt_is_retried_in_time(make),
        ),
        Check::new(
            "a_down_gateway_gets_no_pile_up",
            Runtime::PausedClock,
            a_down_gateway_gets_no_pile_up(make),
        ),
        Check::new(
            "it_recovers_after_the_open_wait",
            Runtime::PausedClock,
            it_recovers_after_the_open_wait(make),
        ),
    ]
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

const LATENCY: Duration = Duration::from_millis(50);
const OPEN_WAIT: Duration = Duration::from_secs(30);

/// Opens after 5 failures in a row, for 30 s, then one probe.
pub fn breaker_config() -> BreakerConfig {
    BreakerConfig {
        consecutive_failures: 5,
        failure_rate_percent: 50,
        window: 20,
        minimum_calls: 20,
        slow_call: None,
        open_wait: OPEN_WAIT,
        half_open_probes: 1,
    }
}

struct Setup {
    gateway: Arc<FakeGateway>,
    breaker: Arc<dyn Breaker>,
    client: Arc<dyn DynPaymentClient>,
    config: ClientConfig,
}

/// A gateway that is up, the reference breaker, the default client config
/// (500 ms per attempt, 3 attempts, 100 ms then 200 ms between them: 1.8 s
/// at worst).
fn setup(make: MakeClient) -> Setup {
    let gateway = Arc::new(FakeGateway::new(LATENCY));
    let breaker: Arc<dyn Breaker> = Arc::new(RefBreaker::new(breaker_config()));
    let config = ClientConfig::default();
    let client = make(gateway.clone(), breaker.clone(), config);
    Setup {
        gateway,
        breaker,
        client,
        config,
    }
}

/// One charge, its result and how long it took; it fails the check if the
/// charge takes a second longer than the worst case.
async fn charge(
    client: &dyn DynPaymentClient,
    config: &ClientConfig,
    order: &str,
    amount: i64,
) -> (Result<String, ChargeError>, Duration) {
    let started = Instant::now();
    let limit = config.worst_case() + Duration::from_secs(1);
    let Ok(result) = tokio::time::timeout(limit, client.charge(order, amount)).await else {
        panic!(
            "{}",
            t!(
                "spec-05-4-still-waiting",
                limit = format!("{limit:?}"),
                worst = format!("{:?}", config.worst_case()),
                attempt_timeout = format!("{:?}", config.attempt_timeout)
            )
        );
    };
    (result, ms(started.elapsed().as_millis() as u64))
}

/// A charge goes through once; a decline is neither retried nor a failure.
pub async fn a_charge_goes_through_and_a_decline_is_not_retried(make: MakeClient) {
    let s = setup(make);
    let (result, took) = charge(&*s.client, &s.config, "order-1", 100).await;
    assert!(
        result.is_ok() && took == LATENCY && s.gateway.calls() == 1,
        "{}",
        t!(
            "spec-05-4-up",
            result = format!("{result:?}"),
            took = format!("{took:?}"),
            calls = s.gateway.calls()
        )
    );
    let (result, _) = charge(&*s.client, &s.config, "order-2", 5000).await;
    assert!(
        result == Err(ChargeError::Declined) && s.gateway.calls() == 2,
        "{}",
        t!(
            "spec-05-4-declined",
            result = format!("{result:?}"),
            calls = s.gateway.calls() - 1
        )
    );
    for n in 3..10 {
        let _ = charge(&*s.client, &s.config, &format!("order-{n}"), 5000).await;
    }
    assert!(
        s.breaker.state() == State::Closed,
        "{}",
        t!(
            "spec-05-4-declines-open",
            state = format!("{:?}", s.breaker.state())
        )
    );
}

/// A 503 and a hung attempt are retried after the backoff; each attempt is
/// cut off at its own timeout; the whole charge stays within the worst case.
pub async fn a_failed_or_hung_attempt_is_retried_in_time(make: MakeClient) {
    let s = setup(make);
    s.gateway.fail_next(1);
    let (result, took) = charge(&*s.client, &s.config, "order-1", 100).await;
    assert!(
        result.is_ok() && took == ms(200) && s.gateway.calls() == 2,
        "{}",
        t!(
            "spec-05-4-one-503",
            result = format!("{result:?}"),
            took = format!("{took:?}"),
            calls = s.gateway.calls()
        )
    );

    s.gateway.hang_next(1);
    let (result, took) = charge(&*s.client, &s.config, "order-2", 100).await;
    assert!(
        result.is_ok() && took == ms(650),
        "{}",
        t!(
            "spec-05-4-one-hang",
            result = format!("{result:?}"),
            took = format!("{took:?}")
        )
    );

    let s = setup(make);
    s.gateway.fail_next(3);
    let (result, took) = charge(&*s.client, &s.config, "order-3", 100).await;
    assert!(
        result == Err(ChargeError::Unavailable) && took == ms(450) && s.gateway.calls() == 3,
        "{}",
        t!(
            "spec-05-4-three-503",
            result = format!("{result:?}"),
            took = format!("{took:?}"),
            calls = s.gateway.calls()
        )
    );
    let s = setup(make);
    s.gateway.hang_next(3);
    let (result, took) = charge(&*s.client, &s.config, "order-4", 100).await;
    assert!(
        result == Err(ChargeError::TimedOut) && took == s.config.worst_case(),
        "{}",
        t!(
            "spec-05-4-three-hangs",
            worst = format!("{:?}", s.config.worst_case()),
            result = format!("{result:?}"),
            took = format!("{took:?}")
        )
    );
}

/// The gateway hangs: 200 charges at once time out on their first attempt,
/// the breaker opens, and their retries and the next 1000 charges are
/// refused at once, without reaching the gateway.
pub async fn a_down_gateway_gets_no_pile_up(make: MakeClient) {
    let s = setup(make);
    s.gateway.set_mode(Mode::Hanging);
    let results = together(200, |i| {
        let (client, config) = (s.client.clone(), s.config);
        async move { charge(&*client, &config, &format!("order-{i}"), 100).await }
    })
    .await;
    let refused = results
        .iter()
        .filter(|(r, _)| *r == Err(ChargeError::CircuitOpen))
        .count();
    assert!(
        s.gateway.calls() == 200,
        "{}",
        t!("spec-05-4-pile-up", calls = s.gateway.calls())
    );
    assert!(
        refused == 200,
        "{}",
        t!("spec-05-4-refused", refused = refused)
    );
    let results = together(1000, |i| {
        let (client, config) = (s.client.clone(), s.config);
        async move { charge(&*client, &config, &format!("later-{i}"), 100).await }
    })
    .await;
    let fast = results
        .iter()
        .filter(|(r, took)| *r == Err(ChargeError::CircuitOpen) && took.is_zero())
        .count();
    assert!(
        fast == 1000 && s.gateway.calls() == 200,
        "{}",
        t!(
            "spec-05-4-fast",
            fast = fast,
            calls = s.gateway.calls() - 200
        )
    );
}

/// Once the gateway is back and the open wait is over, a probe closes the
/// breaker and charges go through again.
pub async fn it_recovers_after_the_open_wait(make: MakeClient) {
    let s = setup(make);
    s.gateway.set_mode(Mode::Hanging);
    for n in 0..2 {
        let _ = charge(&*s.client, &s.config, &format!("down-{n}"), 100).await;
    }
    assert!(
        s.breaker.state() == State::Open,
        "{}",
        t!("spec-05-4-open", state = format!("{:?}", s.breaker.state()))
    );
    s.gateway.set_mode(Mode::Up);
    tokio::time::advance(OPEN_WAIT).await;
    for n in 0..10 {
        let (result, _) = charge(&*s.client, &s.config, &format!("up-{n}"), 100).await;
        assert!(
            result.is_ok(),
            "{}",
            t!("spec-05-4-back", n = n, result = format!("{result:?}"))
        );
    }
    assert!(
        s.breaker.state() == State::Closed,
        "{}",
        t!("spec-05-4-closes")
    );
}
