//! The `config` and `accounts` files of one baresip instance.

use std::fmt::Write as _;
use std::path::Path;

use super::{AnswerMode, BaresipOptions};
use crate::error::{BenchError, Result};

pub(super) struct Ports {
    pub sip: u16,
    pub ctrl: u16,
}

pub(super) fn config_text(
    opts: &BaresipOptions,
    ports: &Ports,
    source_wav: &Path,
) -> Result<String> {
    let mut c = String::new();
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(c, "{k}\t{v}");
    };
    let ip = listen_ip(opts);
    line("poll_method", "epoll");
    line("sip_listen", &format!("{ip}:{}", ports.sip));
    if let Some(ca) = &opts.ca_cert {
        line("sip_cafile", path_str(ca)?);
    }
    line("call_local_timeout", "120");
    line("call_max_calls", "4");
    if opts.sound_card.is_some() {
        line("audio_player", "alsa,default");
        line("audio_alert", "alsa,default");
        line("audio_source", "alsa,default");
    } else {
        // aubridge plays into nothing at real-time pace; ALSA "null" is not paced and burns a
        // core.
        line("audio_player", "aubridge,nil");
        line("audio_alert", "aubridge,nil");
        line("audio_source", &format!("aufile,{}", path_str(source_wav)?));
    }
    // baresip 1.0.0's aufile accepts only a file that matches these exactly.
    line("ausrc_srate", "48000");
    line("ausrc_channels", "2");
    line("net_interface", &ip);
    line(
        "dns_server",
        &opts
            .dns_server
            .map(|a| a.to_string())
            .unwrap_or_else(|| "127.0.0.1:53".into()),
    );
    line("module_path", "/usr/lib/baresip/modules");
    for module in ["opus.so", "g722.so", "g711.so", "aubridge.so", "aufile.so"] {
        line("module", module);
    }
    if opts.sound_card.is_some() {
        line("module", "alsa.so");
    }
    if opts.media_enc.is_some() {
        line("module", "srtp.so");
    }
    if let Some(record_dir) = &opts.record_dir {
        line("module", "sndfile.so");
        line("snd_path", path_str(record_dir)?);
    }
    line("module_tmp", "uuid.so");
    line("module_tmp", "account.so");
    line("module_app", "menu.so");
    if opts.presence {
        // contact.so first: presence.so subscribes to the contacts it has loaded.
        line("module_app", "contact.so");
        line("module_app", "presence.so");
    }
    line("module_app", "ctrl_tcp.so");
    line("ctrl_tcp_listen", &format!("127.0.0.1:{}", ports.ctrl));
    for (key, value) in &opts.extra_config {
        line(key, value);
    }
    Ok(c)
}

fn listen_ip(opts: &BaresipOptions) -> String {
    opts.listen_ip
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "127.0.0.1".into())
}

pub(super) fn account_line(opts: &BaresipOptions, ports: &Ports) -> Result<String> {
    let answermode = match opts.answer_mode {
        AnswerMode::Auto => "auto",
        AnswerMode::Manual | AnswerMode::Busy => "manual",
    };
    let mut line = match &opts.registrar {
        Some(reg) => {
            let transport = reg
                .transport
                .map(|t| format!(";transport={}", t.param()))
                .unwrap_or_default();
            let mut l = format!(
                "<sip:{}@{}{transport}>;regint={}",
                opts.user,
                reg.hostport(),
                opts.regint
            );
            // Send every request (not only REGISTER) over the account's transport.
            if let (Some(t), Some(_)) = (reg.transport, reg.port) {
                if t != crate::Transport::Udp {
                    let _ = write!(l, ";outbound=\"sip:{}{transport}\"", reg.hostport());
                }
            }
            l
        }
        None => format!(
            "<sip:{}@{}:{}>;regint=0",
            opts.user,
            listen_ip(opts),
            ports.sip
        ),
    };
    if let Some(pw) = &opts.password {
        if pw.contains([';', '"', '\n']) {
            return Err(BenchError::Setup(
                "baresip password must not contain ';', '\"' or a newline".into(),
            ));
        }
        let _ = write!(line, ";auth_pass={pw}");
    }
    let _ = write!(line, ";answermode={answermode}");
    if opts.pubint > 0 {
        let _ = write!(line, ";pubint={}", opts.pubint);
    }
    if let Some(enc) = &opts.media_enc {
        if !enc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(BenchError::Setup(format!("bad baresip mediaenc {enc:?}")));
        }
        let _ = write!(line, ";mediaenc={enc}");
    }
    if !opts.audio_codecs.is_empty() {
        let _ = write!(line, ";audio_codecs={}", opts.audio_codecs.join(","));
    }
    Ok(line)
}

/// The `contacts` file: one `<URI>;presence=p2p` line per watched contact.
pub(super) fn contacts_text(opts: &BaresipOptions) -> Result<String> {
    let mut text = String::new();
    for uri in &opts.presence_contacts {
        if uri.contains(['<', '>', '\n', '"']) {
            return Err(BenchError::Setup(format!(
                "bad baresip contact URI {uri:?}"
            )));
        }
        let _ = writeln!(text, "<{uri}>;presence=p2p");
    }
    Ok(text)
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str()
        .ok_or_else(|| BenchError::Setup(format!("path is not UTF-8: {}", p.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_lines_come_last() -> Result<()> {
        let mut opts = BaresipOptions::direct("carol");
        opts.extra_config = vec![("opus_bitrate".into(), "32000".into())];
        let ports = Ports {
            sip: 5060,
            ctrl: 4444,
        };
        let text = config_text(&opts, &ports, Path::new("/tmp/a.wav"))?;
        assert_eq!(text.lines().last(), Some("opus_bitrate\t32000"));
        assert!(!config_text(
            &BaresipOptions::direct("carol"),
            &ports,
            Path::new("/tmp/a.wav")
        )?
        .contains("opus_bitrate"));
        Ok(())
    }
}
