//! Side by side with baresip over an impaired network: Parla and baresip each in their own
//! network namespace, joined by a userspace netem stand-in (this kernel has no netem; see
//! parla-testbench's `impair`), both sending speech at once. Per row, PESQ of what Parla
//! received (baresip's speech) and of what baresip received (Parla's speech), on the same
//! path with the same seed each way: wideband PESQ for Opus, narrowband for G.711.
//!
//! `cargo bench --bench impairment` (or scripts/bench-impairment.sh); needs root for the
//! namespaces. Prints the table and writes it to target/impairment.txt. `PARLA_IMPAIR_RUNS=N`
//! averages N seeds per row; `PARLA_IMPAIR_ROWS=opus` (a substring of "codec impairment")
//! keeps only the matching rows. Asserts nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a failed setup step stops it, and its figures go to stdout"
)]

use parla_testbench::impair::{DirectionStats, Impairment};
use parla_testbench::impair_call::{run_row, Codec};
use parla_testbench::netpair::NetNs;
use parla_testbench::speech::make_speech;
use std::fmt::Write as _;
use std::path::Path;

fn impairments() -> Vec<Impairment> {
    vec![
        Impairment::clean(),
        Impairment::loss(1.0),
        Impairment::loss(3.0),
        Impairment::loss(10.0),
        Impairment::jitter(20.0),
        Impairment::jitter(40.0),
        Impairment::reorder(25.0, 40.0),
    ]
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

struct Row {
    codec: Codec,
    impairment: Impairment,
    parla: f64,
    baresip: f64,
    to_parla: DirectionStats,
    to_baresip: DirectionStats,
}

fn main() {
    if NetNs::new().is_err() {
        println!("impairment: skipped, making a network namespace needs root (CAP_SYS_ADMIN)");
        return;
    }
    let runs = env_u64("PARLA_IMPAIR_RUNS", 1).max(1);
    let filter = std::env::var("PARLA_IMPAIR_ROWS").unwrap_or_default();
    let work = tempfile::tempdir().expect("dir");
    let speech = make_speech(work.path(), 2).expect("speech (espeak-ng, sox)");
    let bin = Path::new(env!("CARGO_BIN_EXE_parla"));

    let mut rows = Vec::new();
    for codec in [Codec::Opus, Codec::Pcmu] {
        for impairment in impairments() {
            let name = format!("{} {}", codec.name(), impairment.label());
            if !name.contains(&filter) {
                continue;
            }
            let (mut parla, mut baresip) = (0.0, 0.0);
            let mut to_parla = DirectionStats::default();
            let mut to_baresip = DirectionStats::default();
            for seed in 1..=runs {
                let r = run_row(bin, &speech, codec, impairment, seed)
                    .unwrap_or_else(|e| panic!("{name}, seed {seed}: {e}"));
                parla += r.parla_rx.mos / runs as f64;
                baresip += r.baresip_rx.mos / runs as f64;
                add(&mut to_parla, r.to_parla);
                add(&mut to_baresip, r.to_baresip);
            }
            let row = Row {
                codec,
                impairment,
                parla,
                baresip,
                to_parla,
                to_baresip,
            };
            println!("{}", line(&row));
            rows.push(row);
        }
    }
    let table = table(&rows, runs);
    println!("\n{table}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/impairment.txt");
    if let Err(e) = std::fs::write(&out, &table) {
        println!("could not write {}: {e}", out.display());
    }
}

fn add(sum: &mut DirectionStats, s: DirectionStats) {
    sum.rtp += s.rtp;
    sum.dropped += s.dropped;
    sum.delivered += s.delivered;
    sum.reordered += s.reordered;
}

fn line(r: &Row) -> String {
    let lead = r.parla - r.baresip;
    format!(
        "| {:<5} | {:<12} | {:>7.2} | {:>7.2} | {:>+5.2} {:<3} | {:>4.1}% {:>4} | {:>4.1}% {:>4} |",
        r.codec.name(),
        r.impairment.label(),
        r.parla,
        r.baresip,
        lead,
        if lead > 0.0 { "" } else { "(!)" },
        r.to_parla.loss_percent(),
        r.to_parla.reordered,
        r.to_baresip.loss_percent(),
        r.to_baresip.reordered,
    )
}

fn table(rows: &[Row], runs: u64) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "PESQ MOS-LQO of received speech (Opus: wideband P.862.2 at 16 kHz; PCMU: narrowband \
         P.862 at 8 kHz),\nParla and baresip on the same impaired path, same seed each way, \
         {runs} run(s) per row.\nJitter J: delay 2J +- J ms uniform (packets overtake); reorder: \
         25% sent at once, the rest after 40 ms.\n"
    );
    let _ = writeln!(
        t,
        "| codec | impairment   | Parla   | baresip | Parla     | to Parla   | to baresip |\n\
         |       |              | rx PESQ | rx PESQ | lead      | lost reord | lost reord |"
    );
    for r in rows {
        let _ = writeln!(t, "{}", line(r));
    }
    let behind = rows.iter().filter(|r| r.parla <= r.baresip).count();
    let _ = writeln!(
        t,
        "\nParla ahead in {} of {} rows{}",
        rows.len() - behind,
        rows.len(),
        if behind > 0 {
            " ((!) marks the others)"
        } else {
            ""
        }
    );
    t
}
