//! The problem+json bodies of 02.2's layer, as snapshots. The spec asks every
//! layer to answer with `racecourse_02::layer::problems`, so these are the
//! bodies every passing layer sends; review a change here as an API change.

use racecourse_02::layer::problems;

#[test]
fn the_layers_problems() {
    for (what, problem) in [
        ("a POST without x-user", problems::missing_user()),
        ("a missing or invalid key", problems::invalid_key()),
        ("a retry in flight", problems::in_flight("order-1")),
        ("a reused key", problems::reused_key("order-1")),
    ] {
        insta::assert_json_snapshot!(what.replace(' ', "_"), problem);
    }
}
