//! The contacts database at office size: import 10,000 contacts, search as you type over them
//! (per keystroke: median and worst), and caller-name lookup for an incoming call.
//!
//! `cargo bench -p parla-core --bench store` (release). The keystroke table is measured with
//! `Instant` first (criterion reports means and medians, not the worst case); criterion then
//! times the import, one keystroke and the lookups.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use parla_core::store::{Region, SearchFilter, Store};

const CONTACTS: usize = 10_000;
const FIRST: [&str; 24] = [
    "Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gijs", "Hanna", "Iris", "Jan", "Kees",
    "Lotte", "Maria", "Noah", "Olga", "Pieter", "Quinten", "Roos", "Sanne", "Thijs", "Ursula",
    "Vera", "Willem", "Zoë",
];
const LAST: [&str; 30] = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
];
const COMPANIES: [&str; 12] = [
    "Acme B.V.",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Vandelay Industries",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
];

/// 10,000 people as a CSV file, deterministic.
fn csv(n: usize) -> String {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    let mut out = String::from("first name,last name,company,mobile,work phone,email\n");
    for i in 0..n {
        let first = FIRST[next() as usize % FIRST.len()];
        let last = LAST[next() as usize % LAST.len()];
        let company = COMPANIES[next() as usize % COMPANIES.len()];
        let mobile = format!("06 {:08}", 10_000_000 + i * 7 % 89_999_999);
        let work = format!("+31 20 {:07}", 2_000_000 + i);
        let email = format!(
            "{}.{}{i}@example.nl",
            first.to_lowercase(),
            last.replace(' ', "").to_lowercase()
        );
        out.push_str(&format!(
            "{first},{last} {i},{company},{mobile},{work},{email}\n"
        ));
    }
    out
}

fn nl() -> Region {
    "NL".parse().unwrap()
}

fn filled_store(dir: &tempfile::TempDir) -> Store {
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap().store;
    let report = store
        .import_csv_bytes(csv(CONTACTS).as_bytes(), nl())
        .unwrap();
    assert_eq!(report.accepted(), CONTACTS);
    store
}

/// What a user types, one keystroke at a time.
const TYPED: [&str; 8] = [
    "jansen",
    "van der meer",
    "maria smit",
    "hooli",
    "willem.dekker",
    "0612",
    "+31 20 200 45",
    "2001234",
];

/// Times `search` on every prefix of every typed word (30 rounds a keystroke) and prints the
/// median and worst per word and over all keystrokes; `search` returns the number of hits.
fn keystroke_report(title: &str, mut search: impl FnMut(&str) -> usize) {
    const ROUNDS: usize = 30;
    println!("{title} ({CONTACTS} contacts, limit 50, {ROUNDS} rounds per keystroke):");
    let mut all = Vec::new();
    for word in TYPED {
        let mut times = Vec::new();
        let mut hits = 0;
        for end in word.char_indices().map(|(i, c)| i + c.len_utf8()) {
            let prefix = &word[..end];
            for _ in 0..ROUNDS {
                let t = Instant::now();
                hits = black_box(search(prefix));
                times.push(t.elapsed());
            }
        }
        let (median, worst) = median_worst(&mut times);
        println!(
            "  {word:<14} {:>2} keystrokes  median {:>7.3} ms  worst {:>7.3} ms  ({hits} hits at the end)",
            word.chars().count(),
            ms(median),
            ms(worst)
        );
        all.extend(times);
    }
    let (median, worst) = median_worst(&mut all);
    println!(
        "  all keystrokes                median {:>7.3} ms  worst {:>7.3} ms",
        ms(median),
        ms(worst)
    );
}

/// The same keystrokes as the window sends them since the engine owns the database: a
/// `search_contacts` command to a running engine, timed until its `contacts` answer arrives.
fn engine_keystroke_report(db: &std::path::Path) {
    use parla_core::api::{Command, Event};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let (commands, rx) = tokio::sync::mpsc::channel(256);
    let engine = parla_core::Engine::new(parla_core::Config::default(), events_tx, Vec::new())
        .with_store(db);
    let running = runtime.spawn(engine.run(rx));
    // Ready once the database is open.
    runtime.block_on(async {
        while let Some(event) = events.recv().await {
            if matches!(event, Event::Database { .. }) {
                break;
            }
        }
    });
    let mut request = 0u64;
    keystroke_report(
        "search as you type through the engine: command -> store thread -> `contacts` event",
        |prefix| {
            request += 1;
            runtime.block_on(async {
                commands
                    .send(Command::SearchContacts {
                        query: prefix.to_string(),
                        filter: SearchFilter::All,
                        limit: 50,
                        request: Some(request),
                    })
                    .await
                    .unwrap();
                loop {
                    match events.recv().await {
                        Some(Event::Contacts {
                            request: Some(r),
                            contacts,
                        }) if r == request => break contacts.len(),
                        Some(_) => {}
                        None => panic!("the engine stopped"),
                    }
                }
            })
        },
    );
    runtime.block_on(async {
        commands.send(Command::Quit).await.unwrap();
        let _ = running.await;
    });
}

fn median_worst(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort_unstable();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let worst = times.last().copied().unwrap_or_default();
    (median, worst)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn benches(c: &mut Criterion) {
    let text = csv(CONTACTS);
    let mut import = c.benchmark_group("import");
    import.sample_size(10);
    import.bench_function("csv_10000_contacts", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&dir.path().join("bench.db")).unwrap().store;
                (dir, store)
            },
            |(dir, mut store)| {
                let report = store.import_csv_bytes(text.as_bytes(), nl()).unwrap();
                assert_eq!(report.accepted(), CONTACTS);
                (dir, store)
            },
            BatchSize::PerIteration,
        );
    });
    import.finish();

    // What the window's thread did on every directory sync before the engine owned the
    // database: swap a 10,000-contact directory in, in one transaction.
    let csv_dir = tempfile::tempdir().unwrap();
    let csv_path = csv_dir.path().join("company.csv");
    std::fs::write(&csv_path, &text).unwrap();
    let source = parla_core::store::DirectorySource::File(csv_path);
    let fetched = parla_core::store::fetch_directory(&source).unwrap().0;
    let mut directory = c.benchmark_group("directory");
    directory.sample_size(10);
    directory.bench_function("replace_10000_contacts", |b| {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("bench.db")).unwrap().store;
        b.iter(|| {
            assert_eq!(
                store.replace_directory("work", &fetched, nl()).unwrap(),
                CONTACTS
            )
        });
    });
    directory.finish();

    let dir = tempfile::tempdir().unwrap();
    let store = filled_store(&dir);
    keystroke_report(
        "search as you type in the store, as the window did it",
        |prefix| store.search(prefix, SearchFilter::All, 50).unwrap().len(),
    );
    engine_keystroke_report(&dir.path().join("bench.db"));
    let mut search = c.benchmark_group("search_10000");
    for q in ["j", "jan", "jansen", "van der m", "06 12", "2001234"] {
        search.bench_function(q, |b| {
            b.iter(|| store.search(black_box(q), SearchFilter::All, 50).unwrap())
        });
    }
    search.finish();

    let mut lookup = c.benchmark_group("caller_lookup_10000");
    lookup.bench_function("find_by_number_hit", |b| {
        b.iter(|| {
            store
                .find_by_number(black_box("sip:+31202004567@pbx.example"), nl())
                .unwrap()
                .unwrap()
        })
    });
    lookup.bench_function("caller_name_hit", |b| {
        b.iter(|| {
            store
                .caller_name(black_box("sip:0202004567@pbx.example"), nl())
                .unwrap()
                .unwrap()
        })
    });
    lookup.bench_function("caller_name_unknown", |b| {
        b.iter(|| {
            assert!(store
                .caller_name(black_box("sip:+31612340000@pbx.example"), nl())
                .unwrap()
                .is_none())
        })
    });
    lookup.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
