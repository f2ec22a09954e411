//! Parla behind the NAT of `parla_testbench::nat`: Kamailio and bob (baresip) in the "isp"
//! namespace, Parla (alice) in "home", registering at Kamailio's ISP-side address.

use super::*;
use parla_testbench::nat::{NatNet, ISP_IP};

/// Kamailio in "isp", listening on `ISP_IP` too, with `users`.
pub fn isp_kamailio(net: &NatNet, users: &[(&str, &str)]) -> Kamailio {
    net.isp
        .run(|| {
            Kamailio::start(KamailioOptions {
                extra_listen: vec![ISP_IP.into()],
                ..KamailioOptions::with_users(users)
            })
        })
        .expect("netns")
        .expect("kamailio")
}

/// bob (baresip, PCMU) in "isp", registered at `kamailio`, answering, recording into `record`.
pub fn isp_bob(net: &NatNet, kamailio: &Kamailio, record: &Path) -> Baresip {
    let mut options = BaresipOptions::registering(kamailio, "bob", "bobpw");
    options.listen_ip = Some(ISP_IP.into());
    options.record_dir = Some(record.to_path_buf());
    options.audio_codecs = vec!["pcmu".into()];
    let bob = net
        .isp
        .run(|| Baresip::start(options))
        .expect("netns")
        .expect("baresip");
    bob.wait_registered(T).expect("bob registered");
    bob
}

/// alice's line at `kamailio`'s ISP-side address.
pub fn isp_line(kamailio: &Kamailio) -> Line<'static> {
    let mut line = Line::at(kamailio, "alice", "alicepw");
    line.registrar = Some(format!("sip:{ISP_IP}:{}", kamailio.sip_port()));
    line
}

/// Parla in "home" with `line`; `input` and `output` are the `[audio]` devices (`null`,
/// `file:...`). Its SIP is traced at debug level in its stderr log.
pub fn parla_at_home(net: &NatNet, line: &Line, input: &str, output: &str) -> App {
    let profile = tempfile::tempdir().expect("profile");
    let toml = format!(
        "{}\n[audio]\ninput = {input:?}\noutput = {output:?}\n",
        line.toml()
    );
    std::fs::write(profile.path().join("config.toml"), toml).expect("config");
    let parla = net
        .home
        .run(|| {
            Headless::spawn_with(
                bin(),
                profile.path(),
                &[],
                &[("RUST_LOG", "sip=debug,info")],
            )
        })
        .expect("netns")
        .expect("parla");
    App { parla, profile }
}
