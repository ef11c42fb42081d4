//! Registry credentials: `--username` with `--password-stdin`, else Helm's registry config
//! (`HELM_REGISTRY_CONFIG`, Docker's config.json format; Helm's default path when unset).

use std::path::PathBuf;

use base64::Engine;
use serde_json::Value;

use crate::error::{Error, InputProblem, Result};

#[derive(Clone)]
pub(crate) struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ****)", self.username)
    }
}

/// Where Helm keeps registry logins.
pub(crate) fn registry_config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HELM_REGISTRY_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let config_home = std::env::var_os("HELM_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CONFIG_HOME").map(|x| PathBuf::from(x).join("helm")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/helm")))?;
    Some(config_home.join("registry/config.json"))
}

/// The login stored for `host` (`host:port`) in a Docker-format config file. No file, or no
/// entry for the host, means no login; a file that is there but broken is an error, since
/// ignoring it would push anonymously and fail with a misleading 401.
pub(crate) fn from_registry_config(host: &str) -> Result<Option<Credentials>> {
    let Some(path) = registry_config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Read { path, source }),
    };
    let broken = |problem: InputProblem| Error::Input {
        file: path.display().to_string(),
        problem,
    };
    let config: Value = serde_json::from_str(&text).map_err(|e| {
        broken(InputProblem::RegistryConfigJson {
            line: e.line(),
            reason: e.to_string(),
        })
    })?;
    let auths = match config.get("auths") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(auths)) => auths,
        Some(_) => return Err(broken(InputProblem::RegistryConfigAuths)),
    };
    let found = auths.iter().find(|(k, _)| {
        let k = k
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        k.trim_end_matches('/') == host
    });
    let Some((key, entry)) = found else {
        return Ok(None);
    };
    if let Some(auth) = entry.get("auth").and_then(Value::as_str) {
        let bad_auth = || broken(InputProblem::RegistryConfigAuth { host: key.clone() });
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| bad_auth())?;
        let text = String::from_utf8(decoded).map_err(|_| bad_auth())?;
        let (username, password) = text.split_once(':').ok_or_else(bad_auth)?;
        return Ok(Some(Credentials {
            username: username.into(),
            password: password.into(),
        }));
    }
    match (
        entry.get("username").and_then(Value::as_str),
        entry.get("password").and_then(Value::as_str),
    ) {
        (Some(username), Some(password)) => Ok(Some(Credentials {
            username: username.into(),
            password: password.into(),
        })),
        // A credential helper or identity token: not ours to read.
        _ => Ok(None),
    }
}

pub(crate) fn basic_header(c: &Credentials) -> String {
    let raw = format!("{}:{}", c.username, c.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}
