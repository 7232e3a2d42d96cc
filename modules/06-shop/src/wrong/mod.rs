//! The fixes that almost work: what students really write after seeing the
//! naive version fail, each with the interleaving that still breaks it in its
//! doc comment. The spec must catch every one on every run (`crate::gallery`);
//! the book shows each under "Fixes that almost work".

pub mod checkout;
pub mod intake;
pub mod outbox;
pub mod queue;
pub mod saga;
pub mod wallet;
