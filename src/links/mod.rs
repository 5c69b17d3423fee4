//! Links between notes, and from notes to attachments: found in a body ([`parse`]),
//! resolved the way Obsidian resolves them ([`resolve`]), kept by the notebook as [`Link`]s
//! (`store/links.rs`), and rewritten at export to what was exported ([`rewrite`], with
//! headings anchored as [`slug`] says).
//!
//! This module knows nothing of the notebook or of the export: it is text in, text out, so
//! that the store and the export engine can both use it.

pub mod link;
pub mod parse;
pub mod resolve;
pub mod rewrite;
pub mod slug;

pub use link::{Link, Resolved};
pub use parse::{LinkKind, ParsedLink};
pub use rewrite::{Broken, BrokenWhy, Destination, EmbedMode, LinkMode, MAX_EMBED_DEPTH};
