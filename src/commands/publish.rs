//! `publish`: archives into a static repository (merged index.yaml) or an OCI registry.

use crate::cli::PublishArgs;
use crate::config::RepoTarget;
use crate::error::{Error, Result, Usage};

pub(super) fn run(args: &PublishArgs) -> Result<()> {
    match RepoTarget::parse(&args.repo)? {
        RepoTarget::Oci(reference) => {
            let mut registry = crate::config::registry_for(&reference, &args.registry)?;
            for path in &args.archives {
                let (bytes, metadata) = crate::package::read_archive(path)?;
                let pushed = registry.push(&bytes, &metadata, args.force)?;
                if !args.quiet {
                    crate::output::pushed(path, &pushed);
                }
            }
            Ok(())
        }
        RepoTarget::Http(_) => Err(Error::Usage(Usage::PublishToHttp(args.repo.clone()))),
        RepoTarget::Directory(dir) => {
            let outcome = crate::repo::directory::publish(
                &args.archives,
                &dir,
                args.url.as_deref(),
                args.force,
                std::time::Duration::from_secs(args.lock_timeout),
            )?;
            if !args.quiet {
                for (what, list) in [
                    ("added", &outcome.added),
                    ("replaced", &outcome.replaced),
                    ("unchanged", &outcome.unchanged),
                ] {
                    for chart in list.iter() {
                        crate::output::published(&args.repo, what, chart);
                    }
                }
            }
            Ok(())
        }
    }
}
