//! A throw-away CA and a server certificate for 127.0.0.1 / localhost, made with `openssl`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{IoContext, Result};
use crate::process::run_checked;

/// Paths of the generated PEM files.
#[derive(Debug, Clone)]
pub struct TestCerts {
    /// The CA certificate a client must trust.
    pub ca_cert: PathBuf,
    /// The server certificate (leaf only), signed by the CA.
    pub server_cert: PathBuf,
    /// The server's private key (unencrypted).
    pub server_key: PathBuf,
}

/// Generates a P-256 CA and a server certificate in `dir`. The server certificate carries
/// subjectAltNames IP:127.0.0.1, DNS:localhost and one DNS name per entry of `extra_dns_names`.
pub fn generate(dir: &Path, extra_dns_names: &[String]) -> Result<TestCerts> {
    fs::create_dir_all(dir).ctx(|| format!("creating {}", dir.display()))?;
    let ca_key = dir.join("ca.key");
    let ca_cert = dir.join("ca.pem");
    let server_key = dir.join("server.key");
    let server_csr = dir.join("server.csr");
    let server_cert = dir.join("server.pem");
    let cnf = dir.join("openssl.cnf");

    let mut san = vec!["IP:127.0.0.1".to_string(), "DNS:localhost".to_string()];
    san.extend(extra_dns_names.iter().map(|n| format!("DNS:{n}")));
    // Our own config file, so the system openssl.cnf defaults cannot add or clash with extensions.
    let config = format!(
        "[req]\n\
         distinguished_name = dn\n\
         prompt = no\n\
         [dn]\n\
         CN = parla-testbench\n\
         [v3_ca]\n\
         basicConstraints = critical, CA:TRUE\n\
         keyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\n\
         [v3_server]\n\
         basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature, keyEncipherment\n\
         extendedKeyUsage = serverAuth, clientAuth\n\
         subjectAltName = {}\n\
         subjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\n",
        san.join(", ")
    );
    fs::write(&cnf, config).ctx(|| format!("writing {}", cnf.display()))?;

    let p = |path: &PathBuf| path.as_os_str().to_owned();
    run_checked(
        Command::new("openssl")
            .args(["req", "-x509", "-new", "-newkey", "ec"])
            .args(["-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
            .args(["-days", "30", "-subj", "/CN=Parla Test CA"])
            .arg("-config")
            .arg(p(&cnf))
            .args(["-extensions", "v3_ca", "-keyout"])
            .arg(p(&ca_key))
            .arg("-out")
            .arg(p(&ca_cert)),
    )?;
    run_checked(
        Command::new("openssl")
            .args(["req", "-new", "-newkey", "ec"])
            .args(["-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
            .args(["-subj", "/CN=127.0.0.1"])
            .arg("-config")
            .arg(p(&cnf))
            .arg("-keyout")
            .arg(p(&server_key))
            .arg("-out")
            .arg(p(&server_csr)),
    )?;
    run_checked(
        Command::new("openssl")
            .args(["x509", "-req", "-days", "30", "-set_serial", "2"])
            .arg("-in")
            .arg(p(&server_csr))
            .arg("-CA")
            .arg(p(&ca_cert))
            .arg("-CAkey")
            .arg(p(&ca_key))
            .arg("-extfile")
            .arg(p(&cnf))
            .args(["-extensions", "v3_server", "-out"])
            .arg(p(&server_cert)),
    )?;
    Ok(TestCerts {
        ca_cert,
        server_cert,
        server_key,
    })
}
