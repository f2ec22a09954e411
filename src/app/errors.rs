//! Engine errors in the person's language: each `ErrorKind` has a message in every
//! translation (`error-<kind>`); the engine's English text is kept for the log.

use crate::i18n::I18n;
use parla_core::api::ErrorKind;

/// The translation key for `kind`: `error-no-such-call` for `no_such_call`.
pub fn key(kind: ErrorKind) -> String {
    let name = serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("error-{}", name.replace('_', "-"))
}

/// What the window says about an error of `kind`; `message` (the engine's English text) is
/// logged, and shown only for the kinds whose detail the person needs (which setting is wrong,
/// why the database or a device cannot be used).
pub fn describe(i18n: &I18n, kind: ErrorKind, message: &str) -> String {
    tracing::info!(?kind, %message, "engine error");
    let detailed = matches!(
        kind,
        ErrorKind::InvalidAccount
            | ErrorKind::InvalidAudio
            | ErrorKind::StoreUnavailable
            | ErrorKind::DevicesNotSwitched
            | ErrorKind::DiagnosticsFailed
            | ErrorKind::ImportFailed
            | ErrorKind::ExportFailed
            | ErrorKind::Internal
    );
    if detailed {
        i18n.tr_args(&key(kind), &[("detail", message)])
    } else {
        i18n.tr(&key(kind))
    }
}

/// Every kind there is, for the translation test.
#[cfg(test)]
pub const ALL: [ErrorKind; 34] = [
    ErrorKind::BadCommand,
    ErrorKind::EngineBusy,
    ErrorKind::NoSuchCall,
    ErrorKind::NoSuchAccount,
    ErrorKind::NoAccount,
    ErrorKind::AccountStopped,
    ErrorKind::InvalidAccount,
    ErrorKind::InvalidAudio,
    ErrorKind::TooManyCalls,
    ErrorKind::CallNotConnected,
    ErrorKind::CannotAnswer,
    ErrorKind::HoldFailed,
    ErrorKind::TransferFailed,
    ErrorKind::NoVoicemailNumber,
    ErrorKind::DtmfFailed,
    ErrorKind::DevicesNotSwitched,
    ErrorKind::DevicesUnavailable,
    ErrorKind::EchoTestNotRunning,
    ErrorKind::StoreUnavailable,
    ErrorKind::InvalidContact,
    ErrorKind::NotFound,
    ErrorKind::DiagnosticsFailed,
    ErrorKind::ImportFailed,
    ErrorKind::FileMissing,
    ErrorKind::ExportFailed,
    ErrorKind::RecordingFailed,
    ErrorKind::InvalidMessage,
    ErrorKind::PickupFailed,
    ErrorKind::ConferenceFailed,
    ErrorKind::ParkFailed,
    ErrorKind::NoSuchFeatureCode,
    ErrorKind::NoSuchIdentity,
    ErrorKind::ForwardingFailed,
    ErrorKind::Internal,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn every_error_kind_is_said_in_every_language() {
        for language in Language::ALL {
            let i18n = I18n::new(language);
            for kind in ALL {
                let said = describe(&i18n, kind, "DETAIL");
                assert!(
                    !said.is_empty() && !said.starts_with("error-"),
                    "{language:?} lacks {}",
                    key(kind)
                );
            }
        }
        assert_eq!(key(ErrorKind::NoSuchCall), "error-no-such-call");
    }
}
