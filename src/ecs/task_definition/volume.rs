//! A task volume: a host path, a Docker volume, EFS, or an EBS volume configured at launch.

use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::error::FieldError;
use crate::report::{Code, Report};

use super::fields::required_string;
use super::model::*;

pub(super) const VOLUME_NOT_CARRIED: &[NotCarried] = &[
    NotCarried {
        key: "fsxWindowsFileServerVolumeConfiguration",
        code: Code::Fsx,
        why: "FSx for Windows needs the SMB CSI driver and the file system's DNS name",
    },
    NotCarried {
        key: "s3filesVolumeConfiguration",
        code: Code::S3files,
        why: "no verified CSI driver for S3 Files",
    },
];

pub(super) fn read_volume(mut v: Obj<'_>, report: &mut Report) -> ReadResult<VolumeDefinition> {
    let mut out = VolumeDefinition {
        path: v.path().clone(),
        name: required_string(&mut v, "name", report)?,
        ..Default::default()
    };
    if let Some(mut host) = v.object("host", report)? {
        out.host_source_path = host.string("sourcePath", report)?;
        host.finish(&[], report);
    }
    if let Some(mut d) = v.object("dockerVolumeConfiguration", report)? {
        let docker = DockerVolume {
            path: d.path().clone(),
            scope: d.string("scope", report)?.map(|s| s.to_ascii_lowercase()),
            autoprovision: d.bool("autoprovision", report)?,
            driver: d.string("driver", report)?,
            driver_opts: d.string_map("driverOpts", report)?,
            labels: d.string_map("labels", report)?,
        };
        if let Some(scope) = &docker.scope {
            if scope != "task" && scope != "shared" {
                return Err(FieldError::new(
                    &docker.path.key("scope"),
                    format!("expected task or shared, got {scope:?}"),
                ));
            }
        }
        d.finish(&[], report);
        out.docker = Some(docker);
    }
    if let Some(mut e) = v.object("efsVolumeConfiguration", report)? {
        let path = e.path().clone();
        let file_system_id = required_string(&mut e, "fileSystemId", report)?;
        // The chart's schema takes an ID or a placeholder; anything else would make a chart
        // that refuses its own values.
        let whole_placeholder = crate::deferred::is_whole_placeholder(&file_system_id)
            || crate::placeholder::find(&file_system_id).as_deref()
                == Some(file_system_id.as_str());
        if !is_efs_id(&file_system_id) && !whole_placeholder {
            return Err(FieldError::new(
                &path.key("fileSystemId"),
                format!("expected an EFS file system ID (fs-…), got {file_system_id:?}"),
            ));
        }
        let root_directory = e.string("rootDirectory", report)?;
        let transit_encryption = e.string("transitEncryption", report)?;
        let _ = e.int("transitEncryptionPort", 0, 65535, report)?;
        let mut access_point_id = None;
        let mut iam = None;
        if let Some(mut auth) = e.object("authorizationConfig", report)? {
            access_point_id = auth.string("accessPointId", report)?;
            iam = auth.string("iam", report)?;
            auth.finish(&[], report);
        }
        e.finish(&[], report);
        out.efs = Some(EfsVolume {
            path,
            file_system_id,
            root_directory,
            transit_encryption,
            access_point_id,
            iam,
        });
    }
    out.configured_at_launch = v.bool("configuredAtLaunch", report)?.unwrap_or(false);
    v.finish(VOLUME_NOT_CARRIED, report);
    Ok(out)
}

/// `fs-` and letters or digits: an EFS file system ID.
fn is_efs_id(id: &str) -> bool {
    id.strip_prefix("fs-")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}
