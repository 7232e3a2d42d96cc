//! Fixes students really write that almost work, one file per exercise file.
//! Each doc comment says which interleaving breaks it; the gallery
//! ([`crate::gallery`]) proves the spec catches every one, every run.

pub mod ballot;
pub mod coupon;
pub mod likes;
pub mod poll;
pub mod reward;
