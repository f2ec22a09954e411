//! Which certificate authorities a TLS account trusts: the system's roots, plus an extra CA file
//! when the account names one (a company PBX with its own CA). Host names are always verified.

use std::path::Path;

/// Largest CA file read: a bundle of a few hundred certificates is under 1 MiB.
const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read the CA file {path}: {message}")]
    CaFile { path: String, message: String },
    #[error("no trusted certificate authorities: the system has none and no CA file is set")]
    Empty,
}

/// PEM text of every trusted root, as rsipstack's `TlsConfig::ca_certs` takes it.
pub fn trusted_roots_pem(extra_ca: Option<&Path>) -> Result<Vec<u8>, TrustError> {
    let mut pem_text = String::new();
    let native = rustls_native_certs::load_native_certs();
    for err in &native.errors {
        tracing::warn!(error = %err, "a system certificate could not be loaded");
    }
    for cert in native.certs {
        pem_text.push_str(&pem::encode(&pem::Pem::new(
            "CERTIFICATE",
            cert.as_ref().to_vec(),
        )));
    }
    if let Some(path) = extra_ca {
        let ca_error = |message: String| TrustError::CaFile {
            path: path.display().to_string(),
            message,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| ca_error(e.to_string()))?
            .len();
        if size > MAX_CA_FILE_BYTES {
            return Err(ca_error(format!("{size} bytes is too large for a CA file")));
        }
        let text = std::fs::read_to_string(path).map_err(|e| ca_error(e.to_string()))?;
        let parsed = pem::parse_many(&text).map_err(|e| ca_error(e.to_string()))?;
        let certs: Vec<_> = parsed.iter().filter(|p| p.tag() == "CERTIFICATE").collect();
        if certs.is_empty() {
            return Err(ca_error("it holds no PEM certificate".into()));
        }
        for cert in certs {
            pem_text.push_str(&pem::encode(cert));
        }
    }
    if pem_text.is_empty() {
        return Err(TrustError::Empty);
    }
    Ok(pem_text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_ca_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").expect("write");
        let err = trusted_roots_pem(Some(&path)).expect_err("garbage");
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        let err = trusted_roots_pem(Some(&dir.path().join("missing.pem"))).expect_err("missing");
        assert!(err.to_string().contains("missing.pem"), "{err}");
    }
}
