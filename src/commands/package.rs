//! `package`: reproducible archives, at versions that follow content when a repo is given.

use crate::cli::PackageArgs;
use crate::config::RepoTarget;
use crate::error::Result;

pub(super) fn run(args: &PackageArgs) -> Result<()> {
    let target = args.repo.as_deref().map(RepoTarget::parse).transpose()?;
    let mut registry = None;
    let mut index = None;
    match &target {
        Some(RepoTarget::Oci(reference)) => {
            registry = Some(crate::config::registry_for(reference, &args.registry)?)
        }
        Some(RepoTarget::Http(url)) => index = Some(crate::repo::index::fetch(url)?),
        Some(RepoTarget::Directory(dir)) => index = crate::repo::directory::read_index(dir)?,
        None => {}
    }
    for dir in &args.charts {
        let source = crate::package::ChartSource::read(dir)?;
        let own = source.build(args.version.as_ref())?;
        let newest = match (&mut registry, &index) {
            (Some(reg), _) => reg.newest(&own.name)?,
            (None, Some(index)) => index.newest(&own.name),
            (None, None) => None,
        };
        let version = crate::package::version_following_content(
            &source,
            &own.version,
            newest.as_ref().map(|(v, d)| (v, d.as_str())),
        )?;
        let built = if version == own.version {
            own
        } else {
            source.build(Some(&version))?
        };
        let packaged = crate::package::write(&built, &args.destination)?;
        if !args.quiet {
            let note = match &newest {
                Some((v, _)) if *v == packaged.version => " (unchanged since it was published)",
                Some(_) => " (content changed since the newest published version)",
                None => "",
            };
            crate::output::packaged(dir, &packaged.path, &packaged.digest, note);
        }
    }
    Ok(())
}
