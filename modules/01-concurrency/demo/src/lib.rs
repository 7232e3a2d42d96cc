//! The demo's shop with its Prometheus series: [`metered::router`] is module
//! 01's app behind `GET /metrics`, which the binary serves and the tests call.

pub mod metered;
