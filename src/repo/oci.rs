//! Pushing charts to OCI registries natively over the distribution API, with Helm's media
//! types, so ECR, Harbor, GHCR or a local registry can serve them to `helm pull oci://`.

use serde_json::{json, Value};
use ureq::http::{Request, Response};

use super::credentials::{basic_header, Credentials};
use crate::digest::sha256_hex;
use crate::error::{Error, RegistryProblem, Result};

pub(crate) const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub(crate) const LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
pub(crate) const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// `oci://host[:port]/path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub host: String,
    pub namespace: String,
}

impl Reference {
    pub(crate) fn parse(text: &str) -> Option<Reference> {
        let rest = text.strip_prefix("oci://")?;
        let (host, namespace) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() || namespace.contains(':') || namespace.contains('@') {
            return None;
        }
        Some(Reference {
            host: host.to_string(),
            namespace: namespace.trim_matches('/').to_string(),
        })
    }

    pub(crate) fn repository(&self, chart: &str) -> String {
        if self.namespace.is_empty() {
            chart.to_string()
        } else {
            format!("{}/{chart}", self.namespace)
        }
    }
}

/// OCI tags cannot hold `+`; Helm writes it as `_`.
pub(crate) fn tag_for(version: &semver::Version) -> String {
    version.to_string().replace('+', "_")
}

pub(crate) struct Registry {
    agent: ureq::Agent,
    reference: Reference,
    origin: String,
    credentials: Option<Credentials>,
    authorization: Option<String>,
}

fn status_error(reference: &str, what: &str, status: u16, body: &str) -> Error {
    let detail = body
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect::<String>();
    let what = what.to_string();
    let problem = match status {
        401 => RegistryProblem::Unauthorized { what },
        403 => RegistryProblem::Forbidden { what },
        _ => RegistryProblem::Refused {
            what,
            status,
            detail,
        },
    };
    Error::Registry {
        reference: reference.to_string(),
        problem,
    }
}

impl Registry {
    pub(crate) fn new(
        reference: Reference,
        plain_http: bool,
        credentials: Option<Credentials>,
    ) -> Registry {
        let agent = super::http::agent();
        let scheme = if plain_http { "http" } else { "https" };
        let origin = format!("{scheme}://{}", reference.host);
        let authorization = credentials.as_ref().map(basic_header);
        Registry {
            agent,
            reference,
            origin,
            credentials,
            authorization,
        }
    }

    fn display(&self) -> String {
        format!("oci://{}/{}", self.reference.host, self.reference.namespace)
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(u16, Response<ureq::Body>)> {
        let mut builder = Request::builder().method(method).uri(url);
        // Credentials go to the registry's own origin only: an upload location on another
        // scheme, host or port (a storage backend, or a hostile registry) never sees them, as
        // Docker and ORAS scope credentials per host.
        let same_origin = url == self.origin || url.starts_with(&format!("{}/", self.origin));
        if let Some(auth) = self.authorization.as_ref().filter(|_| same_origin) {
            builder = builder.header("Authorization", auth);
        }
        if let Some(ct) = content_type {
            builder = builder.header("Content-Type", ct);
        }
        builder = builder.header("Accept", format!("{MANIFEST_MEDIA_TYPE}, application/json"));
        let request = builder.body(body.to_vec()).map_err(|e| Error::Registry {
            reference: self.display(),
            problem: RegistryProblem::Request(e.to_string()),
        })?;
        let response = self.agent.run(request).map_err(|e| Error::Registry {
            reference: self.display(),
            problem: RegistryProblem::Unreachable {
                host: self.reference.host.clone(),
                reason: e.to_string(),
            },
        })?;
        Ok((response.status().as_u16(), response))
    }

    /// Sends a request, answering one authentication challenge (Basic, or a Bearer token from
    /// the registry's token service) when the registry asks for it.
    fn call(
        &mut self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        body: &[u8],
        scope: &str,
    ) -> Result<(u16, Response<ureq::Body>)> {
        let (status, response) = self.send(method, url, content_type, body)?;
        if status != 401 {
            return Ok((status, response));
        }
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let lower = challenge.to_ascii_lowercase();
        if lower.starts_with("basic") {
            match &self.credentials {
                Some(c) if self.authorization.as_deref() != Some(basic_header(c).as_str()) => {
                    self.authorization = Some(basic_header(c))
                }
                _ => return Ok((status, response)),
            }
        } else if lower.starts_with("bearer") {
            let token = self.token(&challenge, scope)?;
            self.authorization = Some(format!("Bearer {token}"));
        } else {
            return Ok((status, response));
        }
        self.send(method, url, content_type, body)
    }

    fn token(&self, challenge: &str, scope: &str) -> Result<String> {
        let param = |name: &str| {
            challenge.split([',', ' ']).find_map(|part| {
                let (k, v) = part.split_once('=')?;
                (k.trim().eq_ignore_ascii_case(name))
                    .then(|| v.trim().trim_matches('"').to_string())
            })
        };
        let realm = param("realm").ok_or_else(|| Error::Registry {
            reference: self.display(),
            problem: RegistryProblem::NoTokenRealm,
        })?;
        let mut url = format!("{realm}?scope={scope}");
        if let Some(service) = param("service") {
            url.push_str(&format!("&service={service}"));
        }
        let mut builder = Request::builder().method("GET").uri(&url);
        if let Some(c) = &self.credentials {
            builder = builder.header("Authorization", basic_header(c));
        }
        let request = builder.body(Vec::new()).map_err(|e| Error::Registry {
            reference: self.display(),
            problem: RegistryProblem::Request(e.to_string()),
        })?;
        let mut response = self.agent.run(request).map_err(|e| Error::Registry {
            reference: self.display(),
            problem: RegistryProblem::TokenServiceUnreachable {
                realm: realm.clone(),
                reason: e.to_string(),
            },
        })?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            return Err(status_error(
                &self.display(),
                "token request",
                status,
                &body,
            ));
        }
        let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        value
            .get("token")
            .or_else(|| value.get("access_token"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::Registry {
                reference: self.display(),
                problem: RegistryProblem::NoToken,
            })
    }

    fn upload_blob(&mut self, repository: &str, bytes: &[u8], what: &str) -> Result<String> {
        let digest = format!("sha256:{}", sha256_hex(bytes));
        let scope = format!("repository:{repository}:pull,push");
        let head_url = format!("{}/v2/{repository}/blobs/{digest}", self.origin);
        let (status, _) = self.call("HEAD", &head_url, None, &[], &scope)?;
        if status == 200 {
            return Ok(digest);
        }
        let start = format!("{}/v2/{repository}/blobs/uploads/", self.origin);
        let (status, mut response) = self.call("POST", &start, None, &[], &scope)?;
        if status != 202 {
            let body = response.body_mut().read_to_string().unwrap_or_default();
            return Err(status_error(
                &self.display(),
                &format!("starting the upload of the {what}"),
                status,
                &body,
            ));
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let location = if location.starts_with("http://") || location.starts_with("https://") {
            location
        } else {
            format!("{}{location}", self.origin)
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let put = format!("{location}{separator}digest={digest}");
        let (status, mut response) =
            self.call("PUT", &put, Some("application/octet-stream"), bytes, &scope)?;
        if status != 201 {
            let body = response.body_mut().read_to_string().unwrap_or_default();
            return Err(status_error(
                &self.display(),
                &format!("uploading the {what}"),
                status,
                &body,
            ));
        }
        Ok(digest)
    }

    /// Pushes one chart archive; returns the pushed reference (`host/path/name:tag`). A version
    /// the registry has with other content is refused unless `force`, as a static repository
    /// refuses it.
    pub(crate) fn push(
        &mut self,
        archive: &[u8],
        metadata: &serde_json::Map<String, Value>,
        force: bool,
    ) -> Result<String> {
        let name = metadata["name"].as_str().unwrap_or_default();
        let version = semver::Version::parse(metadata["version"].as_str().unwrap_or_default())
            .expect("read_archive checked the version");
        if name.chars().any(|c| c.is_ascii_uppercase())
            || self
                .reference
                .namespace
                .chars()
                .any(|c| c.is_ascii_uppercase())
        {
            return Err(Error::Registry {
                reference: self.display(),
                problem: RegistryProblem::UppercaseName(self.reference.repository(name)),
            });
        }
        let repository = self.reference.repository(name);
        if !force {
            let scope = format!("repository:{repository}:pull");
            if let Some(existing) = self.layer_digest(&repository, &tag_for(&version), &scope)? {
                if existing != sha256_hex(archive) {
                    return Err(Error::Registry {
                        reference: self.display(),
                        problem: RegistryProblem::VersionTaken {
                            name: name.to_string(),
                            version: version.to_string(),
                            existing,
                        },
                    });
                }
            }
        }
        // Helm's config blob is the chart metadata as JSON.
        let config =
            serde_json::to_vec(&Value::Object(metadata.clone())).expect("metadata serializes");
        let config_digest = self.upload_blob(&repository, &config, "chart config")?;
        let layer_digest = self.upload_blob(&repository, archive, "chart archive")?;
        let mut annotations = serde_json::Map::new();
        annotations.insert("org.opencontainers.image.title".into(), json!(name));
        annotations.insert(
            "org.opencontainers.image.version".into(),
            json!(version.to_string()),
        );
        if let Some(d) = metadata.get("description").and_then(Value::as_str) {
            annotations.insert("org.opencontainers.image.description".into(), json!(d));
        }
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": LAYER_MEDIA_TYPE, "digest": layer_digest, "size": archive.len()}],
            "annotations": annotations,
        });
        let body = serde_json::to_vec(&manifest).expect("manifest serializes");
        let tag = tag_for(&version);
        let url = format!("{}/v2/{repository}/manifests/{tag}", self.origin);
        let scope = format!("repository:{repository}:pull,push");
        let (status, mut response) =
            self.call("PUT", &url, Some(MANIFEST_MEDIA_TYPE), &body, &scope)?;
        if status != 201 {
            let text = response.body_mut().read_to_string().unwrap_or_default();
            return Err(status_error(
                &self.display(),
                "uploading the manifest",
                status,
                &text,
            ));
        }
        Ok(format!("{}/{repository}:{tag}", self.reference.host))
    }

    /// A response body read whole, up to `limit` bytes; one cut short (a registry that stalls
    /// or closes after its headers) is an error, never an empty body.
    fn read_whole(&self, response: &mut Response<ureq::Body>, limit: u64) -> Result<String> {
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_string()
            .map_err(|e| Error::Registry {
                reference: self.display(),
                problem: RegistryProblem::ReadBody(e.to_string()),
            })
    }

    /// The newest chart version in the registry and its archive layer's digest (hex).
    pub(crate) fn newest(&mut self, name: &str) -> Result<Option<(semver::Version, String)>> {
        let repository = self.reference.repository(name);
        let scope = format!("repository:{repository}:pull");
        let url = format!("{}/v2/{repository}/tags/list", self.origin);
        let (status, mut response) = self.call("GET", &url, None, &[], &scope)?;
        if status == 404 {
            return Ok(None);
        }
        // Never "no tags" for a list cut short: that would publish over versions it has.
        let body = self.read_whole(&mut response, 16 << 20)?;
        if status != 200 {
            return Err(status_error(&self.display(), "listing tags", status, &body));
        }
        let value: Value = serde_json::from_str(&body).map_err(|e| Error::Registry {
            reference: self.display(),
            problem: RegistryProblem::ReadBody(format!("the tag list is not JSON: {e}")),
        })?;
        let newest = value["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| semver::Version::parse(&t.as_str()?.replace('_', "+")).ok())
            .max();
        let Some(version) = newest else {
            return Ok(None);
        };
        let digest = self
            .layer_digest(&repository, &tag_for(&version), &scope)?
            .unwrap_or_default();
        Ok(Some((version, digest)))
    }

    /// The chart archive layer's digest (hex) of a tag, or None when the tag is not there.
    fn layer_digest(&mut self, repository: &str, tag: &str, scope: &str) -> Result<Option<String>> {
        let url = format!("{}/v2/{repository}/manifests/{tag}", self.origin);
        let (status, mut response) = self.call("GET", &url, None, &[], scope)?;
        if status == 404 {
            return Ok(None);
        }
        let body = self.read_whole(&mut response, 4 << 20)?;
        if status != 200 {
            return Err(status_error(
                &self.display(),
                "reading a manifest",
                status,
                &body,
            ));
        }
        let manifest: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        Ok(Some(
            manifest["layers"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|l| {
                    l["mediaType"] == LAYER_MEDIA_TYPE || l["mediaType"] == "application/tar+gzip"
                })
                .and_then(|l| l["digest"].as_str())
                .map(|d| d.trim_start_matches("sha256:").to_string())
                .unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            Reference::parse("oci://127.0.0.1:5000/charts/team"),
            Some(Reference {
                host: "127.0.0.1:5000".into(),
                namespace: "charts/team".into()
            })
        );
        assert_eq!(
            Reference::parse("oci://registry.example.com")
                .unwrap()
                .repository("web"),
            "web"
        );
        assert_eq!(Reference::parse("https://x/y"), None);
        assert_eq!(Reference::parse("oci://x/y:1.0"), None);
        assert_eq!(
            tag_for(&semver::Version::parse("1.2.3+build.5").unwrap()),
            "1.2.3_build.5"
        );
    }
}
