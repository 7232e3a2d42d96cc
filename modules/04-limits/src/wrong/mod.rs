//! The fixes students really write that almost work, one file per exercise
//! file. Each has a doc comment saying what breaks it, between `// ANCHOR:`
//! markers for the book's "Fixes that almost work"; `crate::gallery` lists
//! them with the words their failure must contain.

pub mod catalog;
pub mod layer;
pub mod lru;
pub mod redis_limiter;
pub mod token_bucket;
pub mod window;
