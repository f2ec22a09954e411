//! Renders tests/peers/kamailio.cfg and writes the files it refers to.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::{KamailioOptions, WrongPasswordAnswer};
use crate::certs::TestCerts;
use crate::error::{BenchError, IoContext, Result};

/// tests/peers (the peers' configs and scenarios), found from this crate's manifest dir.
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers")
}

pub fn template_path() -> PathBuf {
    peers_dir().join("kamailio.cfg")
}

pub(super) struct Rendered {
    pub cfg: PathBuf,
}

pub(super) struct Ports {
    pub sip: u16,
    pub tls: u16,
}

pub(super) fn write_all(
    run_dir: &Path,
    opts: &KamailioOptions,
    ports: &Ports,
    certs: &TestCerts,
) -> Result<Rendered> {
    let db_dir = run_dir.join("db");
    write_subscribers(&db_dir, &opts.users)?;
    write_tls_cfg(&run_dir.join("tls.cfg"), certs)?;
    let presence_db_dir = run_dir.join("presence_db");
    if opts.presence || opts.busy_lamps {
        write_presence_tables(&presence_db_dir, opts.busy_lamps)?;
    }
    let msilo_db_dir = run_dir.join("msilo_db");
    if opts.msilo {
        write_silo_table(&msilo_db_dir)?;
    }

    let template_path = template_path();
    let template = fs::read_to_string(&template_path)
        .ctx(|| format!("reading Kamailio template {}", template_path.display()))?;
    let dirs = Dirs {
        run: run_dir,
        db: &db_dir,
        presence_db: &presence_db_dir,
        msilo_db: &msilo_db_dir,
    };
    let cfg_text = render(&template, &dirs, opts, ports)?;
    let cfg = run_dir.join("kamailio.cfg");
    fs::write(&cfg, cfg_text).ctx(|| format!("writing {}", cfg.display()))?;
    Ok(Rendered { cfg })
}

struct Dirs<'a> {
    run: &'a Path,
    db: &'a Path,
    presence_db: &'a Path,
    msilo_db: &'a Path,
}

fn render(
    template: &str,
    dirs: &Dirs<'_>,
    opts: &KamailioOptions,
    ports: &Ports,
) -> Result<String> {
    let mut defines = String::new();
    if opts.wrong_password_answer == WrongPasswordAnswer::Answer403 {
        defines.push_str("#!define WRONG_PASSWORD_403\n");
    }
    if opts.presence || opts.busy_lamps {
        defines.push_str("#!define WITH_PRESENCE\n");
    }
    if opts.busy_lamps {
        defines.push_str("#!define WITH_BUSY_LAMPS\n");
    }
    if opts.msilo {
        defines.push_str("#!define WITH_MSILO\n");
    }
    if opts.caller_ids {
        defines.push_str("#!define WITH_CALLER_IDS\n");
    }
    if opts.follow_redirects {
        defines.push_str("#!define WITH_REDIRECTS\n");
    }
    let mut extra_aliases = String::new();
    let mut local_from = String::from("$fd==\"127.0.0.1\" || $fd==\"localhost\"");
    for domain in &opts.extra_domains {
        check_token(domain)?;
        // A name (not 127.0.0.1) may be an alias without a port: nothing else answers to it.
        let _ = writeln!(extra_aliases, "alias=\"{domain}\"");
        let _ = write!(local_from, " || $fd==\"{domain}\"");
    }
    if !opts.extra_listen.is_empty() {
        extra_aliases.push_str("mhomed=1\n");
    }
    for ip in &opts.extra_listen {
        for proto in ["udp", "tcp"] {
            let _ = writeln!(extra_aliases, "listen={proto}:{ip}:{}", ports.sip);
        }
        let _ = writeln!(extra_aliases, "alias=\"{ip}:{}\"", ports.sip);
    }
    if opts.caller_ids {
        // Anonymous calls (RFC 3323) from local users are authenticated like theirs.
        local_from.push_str(" || $fd==\"anonymous.invalid\"");
    }
    let qop = if opts.qop_auth { "1" } else { "0" };
    let run = path_str(dirs.run)?;
    let db = path_str(dirs.db)?;
    let presence_db = path_str(dirs.presence_db)?;
    let msilo_db = path_str(dirs.msilo_db)?;
    let out = template
        .replace("@@DEFINES@@", &defines)
        .replace("@@UDP_PORT@@", &ports.sip.to_string())
        .replace("@@TCP_PORT@@", &ports.sip.to_string())
        .replace("@@TLS_PORT@@", &ports.tls.to_string())
        .replace("@@EXTRA_ALIASES@@", &extra_aliases)
        .replace("@@RUNDIR@@", run)
        .replace("@@PRESENCE_DBDIR@@", presence_db)
        .replace("@@MSILO_DBDIR@@", msilo_db)
        .replace("@@DBDIR@@", db)
        .replace("@@LOCAL_FROM@@", &format!("({local_from})"))
        .replace("@@QOP_FLAG@@", qop)
        .replace("@@AUTH_ALGORITHM@@", opts.digest_algorithm.name())
        .replace("@@MIN_EXPIRES@@", &opts.min_expires.to_string());
    if let Some(pos) = out.find("@@") {
        let line = out[pos..].lines().next().unwrap_or_default();
        return Err(BenchError::Setup(format!(
            "unfilled placeholder in {}: {line}",
            template_path().display()
        )));
    }
    Ok(out)
}

/// db_text "subscriber" and "version" tables; passwords in plain text (calculate_ha1=yes).
fn write_subscribers(db_dir: &Path, users: &[(String, String)]) -> Result<()> {
    fs::create_dir_all(db_dir).ctx(|| format!("creating {}", db_dir.display()))?;
    let mut table = String::from(
        "id(int,auto) username(string) domain(string) password(string) ha1(string,null) ha1b(string,null) \n",
    );
    for (i, (user, password)) in users.iter().enumerate() {
        check_token(user)?;
        if password.contains([':', '\n', '\\']) {
            return Err(BenchError::Setup(format!(
                "password of {user} must not contain ':', '\\' or a newline (db_text)"
            )));
        }
        let _ = writeln!(table, "{}:{user}:127.0.0.1:{password}:::", i + 1);
    }
    let subscriber = db_dir.join("subscriber");
    fs::write(&subscriber, table).ctx(|| format!("writing {}", subscriber.display()))?;
    let version = db_dir.join("version");
    fs::write(
        &version,
        "id(int,auto) table_name(string) table_version(int) \n0:subscriber:7\n",
    )
    .ctx(|| format!("writing {}", version.display()))
}

/// Empty db_text tables of the presence module (checked at start, filled only at shutdown:
/// `subs_db_mode 0` and `publ_cache 2` keep everything in memory), as Debian ships them;
/// with busy lamps also pua's (`db_mode 0`: memory only, the table is only checked).
fn write_presence_tables(dir: &Path, busy_lamps: bool) -> Result<()> {
    fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
    let pua = (
        "pua",
        "id(int,auto) pres_uri(string) pres_id(string) event(int) expires(int) \
         desired_expires(int) flag(int) etag(string) tuple_id(string,null) watcher_uri(string) \
         call_id(string) to_tag(string) from_tag(string) cseq(int) record_route(string,null) \
         contact(string) remote_contact(string) version(int) extra_headers(string) ",
        7,
    );
    let mut tables: Vec<(&str, &str, u32)> = vec![
        (
            "presentity",
            "id(int,auto) username(string) domain(string) event(string) etag(string) \
             expires(int) received_time(int) body(string) sender(string) priority(int) \
             ruid(string,null) ",
            5,
        ),
        (
            "active_watchers",
            "id(int,auto) presentity_uri(string) watcher_username(string) \
             watcher_domain(string) to_user(string) to_domain(string) event(string) \
             event_id(string,null) to_tag(string) from_tag(string) callid(string) \
             local_cseq(int) remote_cseq(int) contact(string) record_route(string,null) \
             expires(int) status(int) reason(string,null) version(int) socket_info(string) \
             local_contact(string) from_user(string) from_domain(string) updated(int) \
             updated_winfo(int) flags(int) user_agent(string,null) ",
            12,
        ),
        (
            "watchers",
            "id(int,auto) presentity_uri(string) watcher_username(string) \
             watcher_domain(string) event(string) status(int) reason(string,null) \
             inserted_time(int) ",
            3,
        ),
    ];
    if busy_lamps {
        tables.push(pua);
    }
    let mut version = String::from("id(int,auto) table_name(string) table_version(int) \n");
    for (name, columns, v) in tables {
        let path = dir.join(name);
        fs::write(&path, format!("{columns}\n")).ctx(|| format!("writing {}", path.display()))?;
        let _ = writeln!(version, "0:{name}:{v}");
    }
    let path = dir.join("version");
    fs::write(&path, version).ctx(|| format!("writing {}", path.display()))
}

/// msilo's empty db_text `silo` table. Debian's declares `callid` and `status` NOT NULL, but
/// msilo 5.6 leaves them empty (`null value not allowed`, 503): here both may be null.
fn write_silo_table(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
    let silo = dir.join("silo");
    fs::write(
        &silo,
        "id(int,auto) src_addr(string) dst_addr(string) username(string) domain(string) \
         inc_time(int) exp_time(int) snd_time(int) ctype(string) body(string,null) \
         extra_hdrs(string,null) callid(string,null) status(int,null) \n",
    )
    .ctx(|| format!("writing {}", silo.display()))?;
    let version = dir.join("version");
    fs::write(
        &version,
        "id(int,auto) table_name(string) table_version(int) \n0:silo:8\n",
    )
    .ctx(|| format!("writing {}", version.display()))
}

fn write_tls_cfg(path: &Path, certs: &TestCerts) -> Result<()> {
    let text = format!(
        "[server:default]\n\
         method = TLSv1.2+\n\
         verify_certificate = no\n\
         require_certificate = no\n\
         private_key = {}\n\
         certificate = {}\n\
         \n\
         [client:default]\n\
         method = TLSv1.2+\n\
         verify_certificate = no\n\
         require_certificate = no\n",
        path_str(&certs.server_key)?,
        path_str(&certs.server_cert)?,
    );
    fs::write(path, text).ctx(|| format!("writing {}", path.display()))
}

/// User names and domains go into the config and db_text verbatim: keep them plain.
fn check_token(s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
    if ok {
        Ok(())
    } else {
        Err(BenchError::Setup(format!(
            "{s:?}: use only letters, digits, '.', '-', '_', '+'"
        )))
    }
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str()
        .ok_or_else(|| BenchError::Setup(format!("path is not UTF-8: {}", p.display())))
}
