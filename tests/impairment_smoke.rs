//! One row of the network-impairment benchmark (`benches/impairment.rs`): G.711 with 3 % loss
//! and 20 ms jitter between Parla and baresip in their own network namespaces. Asserts only
//! what does not depend on who wins: the path impaired the stream as told, both receivers got
//! the speech, and PESQ scored both.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test"
)]

use parla_testbench::impair::{Impairment, VENV_PYTHON};
use parla_testbench::impair_call::{run_row, Codec};
use parla_testbench::netpair::NetNs;
use parla_testbench::speech::make_speech;
use std::path::Path;

#[test]
fn g711_over_loss_and_jitter_reaches_both_receivers_and_is_scored() {
    if NetNs::new().is_err() {
        eprintln!("skipped: making a network namespace needs root (CAP_SYS_ADMIN)");
        return;
    }
    assert!(
        Path::new(VENV_PYTHON).exists(),
        "the test venv with `pesq` (scripts/install-test-deps.sh)"
    );
    let work = tempfile::tempdir().unwrap();
    let speech = make_speech(work.path(), 2).unwrap();
    let impairment = Impairment {
        loss_percent: 3.0,
        ..Impairment::jitter(20.0)
    };
    let row = run_row(
        Path::new(env!("CARGO_BIN_EXE_parla")),
        &speech,
        Codec::Pcmu,
        impairment,
        42,
    )
    .unwrap();

    // ~9 s of 20 ms packets each way: 3 % of ~500 is ~15; the seeded RNG keeps it inside this.
    for (dir, s) in [("to baresip", row.to_baresip), ("to parla", row.to_parla)] {
        assert!(s.rtp > 300, "{dir}: {s:?}");
        assert!((1.0..=6.0).contains(&s.loss_percent()), "{dir}: {s:?}");
        // all but the few still queued when the call ended went through or were dropped
        let in_flight = s.rtp - s.dropped - s.delivered;
        assert!(in_flight <= 5, "{dir}: {s:?}");
    }
    for (who, score) in [("parla", row.parla_rx), ("baresip", row.baresip_rx)] {
        // the speech is there: the best window follows the reference and is not silence
        assert!(score.corr > 0.5, "{who}: {score:?}");
        assert!(score.rms_db > -45.0, "{who}: {score:?}");
        assert!((1.0..=4.5).contains(&score.mos), "{who}: {score:?}");
    }
    eprintln!(
        "G.711, {}: PESQ parla rx {:.2}, baresip rx {:.2}; loss {:.1}% / {:.1}%",
        impairment.label(),
        row.parla_rx.mos,
        row.baresip_rx.mos,
        row.to_parla.loss_percent(),
        row.to_baresip.loss_percent()
    );
}
