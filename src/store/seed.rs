//! Deterministic, realistic notes for demos, tests and benchmarks.
//!
//! The same `(count, seed)` always gives the same notes, on every machine: the generator is
//! ChaCha8, whose output is fixed by its specification. Titles mix ASCII, accents, CJK and
//! emoji; bodies run from a few hundred bytes to several KB of Markdown with headings, lists,
//! code, commas, quotes and newlines, the things that break naive exporters.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{NewNote, Timestamp};

const SUBJECTS: &[&str] = &[
    "Meeting notes",
    "Réunion d'équipe",
    "Café planning",
    "読書メモ",
    "会议纪要",
    "Ideas 💡",
    "Trip to Zürich",
    "Groceries 🛒",
    "Q3 roadmap",
    "Book: \"Thinking in Systems\"",
    "Recipe: crème brûlée",
    "Bug triage, week",
    "Señor's birthday 🎂",
    "Kubernetes: notes",
    "Straße & Weg",
    "Threads vs async",
];

const WORDS: &[&str] = &[
    "export",
    "thread",
    "latency",
    "notebook",
    "backup",
    "café",
    "naïve",
    "déjà",
    "vu",
    "mañana",
    "über",
    "日本",
    "数据",
    "🚀",
    "budget",
    "draft",
    "review",
    "\"quoted\"",
    "comma,",
    "pool",
    "async",
    "disk",
    "write",
    "rename",
    "atomic",
    "—",
    "façade",
    "jalapeño",
];

const TAGS: &[&str] = &[
    "work",
    "personal",
    "ideas",
    "reading",
    "travel",
    "rust",
    "python",
    "recipes",
    "todo",
    "archive",
    "日本語",
    "café",
    "q3",
];

/// `count` notes generated from `seed`.
pub fn notes(count: usize, seed: u64) -> impl Iterator<Item = NewNote> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count).map(move |i| note(&mut rng, i))
}

fn note(rng: &mut ChaCha8Rng, index: usize) -> NewNote {
    let subject = SUBJECTS.choose(rng).copied().unwrap_or("Note");
    let title = format!("{subject} #{}", index + 1);
    let tag_count = rng.random_range(0..=5);
    let mut tags: Vec<String> = Vec::with_capacity(tag_count);
    while tags.len() < tag_count {
        let tag = TAGS.choose(rng).copied().unwrap_or("misc");
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    // 2024-01-01 plus up to about two years, on whole seconds; updated a little later.
    let created = 1_704_067_200 + rng.random_range(0..63_000_000i64);
    let updated = created + rng.random_range(0..2_000_000i64);
    let body = body(rng, &title);
    let time = |secs: i64| Timestamp::from_micros(secs * 1_000_000).unwrap_or_else(Timestamp::now);
    NewNote {
        title,
        body,
        tags,
        created: time(created),
        updated: time(updated),
        properties: Default::default(),
        source: None,
    }
}

fn sentence(rng: &mut ChaCha8Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS.choose(rng).copied().unwrap_or("word"));
    }
    s.push('.');
    s
}

fn body(rng: &mut ChaCha8Rng, title: &str) -> String {
    let mut body = format!("# {title}\n\n");
    let sections = rng.random_range(1..=6);
    for section in 0..sections {
        match rng.random_range(0..4) {
            0 => {
                body.push_str(&format!("## Part {}\n\n", section + 1));
                for _ in 0..rng.random_range(1..=4) {
                    let words = rng.random_range(8..30);
                    body.push_str(&sentence(rng, words));
                    body.push(' ');
                }
                body.push_str("\n\n");
            }
            1 => {
                for _ in 0..rng.random_range(2..=6) {
                    let words = rng.random_range(2..8);
                    body.push_str(&format!("- {}\n", sentence(rng, words)));
                }
                body.push('\n');
            }
            2 => {
                body.push_str(
                    "```rust\nlet total = notes.iter().map(|n| n.len()).sum::<usize>();\n",
                );
                body.push_str("println!(\"{total}, done\");\n```\n\n");
            }
            _ => {
                let words = rng.random_range(10..40);
                body.push_str(&format!("> {}\n\n", sentence(rng, words)));
                body.push_str("| name | value |\n|---|---|\n| \"a, b\" | 1 |\n\n");
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_notes_other_seed_other_notes() {
        let a: Vec<_> = notes(20, 7).collect();
        let b: Vec<_> = notes(20, 7).collect();
        let c: Vec<_> = notes(20, 8).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn notes_are_valid_and_varied() {
        let all: Vec<_> = notes(300, 1).collect();
        for n in &all {
            crate::model::validate(&n.title, &n.body, &n.tags).unwrap();
            assert!(n.tags.len() <= 5);
            assert!(n.updated >= n.created);
        }
        let sizes: Vec<usize> = all.iter().map(|n| n.body.len()).collect();
        assert!(sizes.iter().any(|&s| s < 1000), "some short bodies");
        assert!(sizes.iter().any(|&s| s > 2000), "some long bodies");
        assert!(all.iter().any(|n| n.tags.is_empty()));
        assert!(all.iter().any(|n| !n.title.is_ascii()));
        assert!(
            all.iter()
                .any(|n| n.body.contains(',') && n.body.contains('"'))
        );
    }
}
