//! Splits an image reference into the registry/repository/tag/digest values users know from
//! well-kept charts, so a deploy step can change one part with `--set`.

use crate::workload::Image;

pub(crate) fn parse_image(reference: &str) -> Image {
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, digest.to_string()),
        None => (reference, String::new()),
    };
    // A colon after the last slash starts the tag; one before it belongs to a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            rest[last_slash + i + 1..].to_string(),
        ),
        None => (rest, String::new()),
    };
    // Docker's rule: the first component is a registry when it has a dot or a port, or is localhost.
    let (registry, repository) = match name.split_once('/') {
        Some((first, repo))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), repo.to_string())
        }
        _ => (String::new(), name.to_string()),
    };
    Image {
        registry,
        repository,
        tag,
        digest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> (String, String, String, String) {
        let i = parse_image(s);
        (i.registry, i.repository, i.tag, i.digest)
    }

    #[test]
    fn splits_common_references() {
        let s = |x: &str| x.to_string();
        assert_eq!(parts("redis"), (s(""), s("redis"), s(""), s("")));
        assert_eq!(
            parts("redis:7.2-alpine"),
            (s(""), s("redis"), s("7.2-alpine"), s(""))
        );
        assert_eq!(
            parts("bitnami/redis:7"),
            (s(""), s("bitnami/redis"), s("7"), s(""))
        );
        assert_eq!(
            parts("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.4.2"),
            (
                s("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
                s("team/api"),
                s("1.4.2"),
                s("")
            )
        );
        assert_eq!(
            parts("localhost:5000/app"),
            (s("localhost:5000"), s("app"), s(""), s(""))
        );
        assert_eq!(
            parts("nginx:1.25@sha256:abc"),
            (s(""), s("nginx"), s("1.25"), s("sha256:abc"))
        );
    }
}
