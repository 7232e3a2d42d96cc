//! The fixes that almost work: what students really write after seeing the
//! naive version fail, each with what still breaks it in its doc comment. The
//! spec must catch every one on every run (`crate::gallery`); the book shows
//! each under "Fixes that almost work".

pub mod breaker;
pub mod payments;
pub mod protect;
pub mod retry;
