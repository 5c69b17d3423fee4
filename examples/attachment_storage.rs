//! The measurement behind where attachments live: SQLite blobs (written and read in pieces
//! through incremental blob I/O) against a content-addressed folder beside the notebook (a
//! temporary file renamed to its hash), for attachments of several sizes.
//!
//! `cargo run --release --example attachment_storage -- DIR` writes about 64 MB per size into
//! a notebook and a folder under DIR, then reads everything back, and prints MB/s for each.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, MAIN_DB};

const TOTAL: usize = 64 << 20;
const CHUNK: usize = 64 << 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/attachment-storage".into());
    let dir = Path::new(&dir);
    println!("size\twrite sqlite\twrite folder\tread sqlite\tread folder (MB/s)");
    for size in [
        4 << 10,
        16 << 10,
        64 << 10,
        128 << 10,
        256 << 10,
        1 << 20,
        16 << 20,
    ] {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir.join("blobs"))?;
        let n = (TOTAL / size).max(2);
        let data: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let mut d: Vec<u8> = (0..size).map(|j| (i * 31 + j * 7) as u8).collect();
                d[..8].copy_from_slice(&(i as u64).to_le_bytes());
                d
            })
            .collect();
        let mut conn = Connection::open(dir.join("nb.db"))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
             CREATE TABLE c (hash BLOB PRIMARY KEY, data BLOB NOT NULL);",
        )?;
        let t = Instant::now();
        let tx = conn.transaction()?;
        for d in &data {
            let hash = blake3::hash(d);
            tx.execute(
                "INSERT INTO c (hash, data) VALUES (?1, zeroblob(?2))",
                rusqlite::params![&hash.as_bytes()[..], d.len() as i64],
            )?;
            let row = tx.last_insert_rowid();
            let mut blob = tx.blob_open(MAIN_DB, c"c", c"data", row, false)?;
            for piece in d.chunks(CHUNK) {
                blob.write_all(piece)?;
            }
        }
        tx.commit()?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        let w_sql = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for d in &data {
            let hash = blake3::hash(d).to_hex();
            let mut tmp = tempfile::NamedTempFile::new_in(dir.join("blobs"))?;
            for piece in d.chunks(CHUNK) {
                tmp.write_all(piece)?;
            }
            tmp.persist(dir.join("blobs").join(hash.as_str()))?;
        }
        let w_dir = t.elapsed().as_secs_f64();
        let mut buf = vec![0u8; CHUNK];
        let t = Instant::now();
        let mut sum = 0usize;
        for row in 1..=n as i64 {
            let mut blob = conn.blob_open(MAIN_DB, c"c", c"data", row, true)?;
            loop {
                let k = blob.read(&mut buf)?;
                if k == 0 {
                    break;
                }
                sum += k;
            }
        }
        let r_sql = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for entry in fs::read_dir(dir.join("blobs"))? {
            let mut f = fs::File::open(entry?.path())?;
            loop {
                let k = f.read(&mut buf)?;
                if k == 0 {
                    break;
                }
                sum += k;
            }
        }
        let r_dir = t.elapsed().as_secs_f64();
        assert_eq!(sum, 2 * n * size);
        let mb = (n * size) as f64 / 1e6;
        println!(
            "{}K\t{:.0}\t{:.0}\t{:.0}\t{:.0}",
            size >> 10,
            mb / w_sql,
            mb / w_dir,
            mb / r_sql,
            mb / r_dir
        );
    }
    let _ = fs::remove_dir_all(dir);
    Ok(())
}
