//! The bit tricks the hand-written JSON and CSV writers (`fast_json.rs`, `fast_csv.rs`) use to
//! look for the bytes they escape eight at a time: the classic "has a byte less than n" test
//! on a little-endian word.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that may be below `n`: zero when none is, and the
/// lowest bit set always a byte that is (the borrows only flag bytes above a true one).
pub(super) fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// The high bit of each byte of `word` that may be `byte`, with [`below`]'s guarantee.
pub(super) fn has_byte(word: u64, byte: u8) -> u64 {
    below(word ^ (ONES * u64::from(byte)), 1)
}
