//! What an instance's user-data does with EBS volumes, read from its shell text: which device
//! a volume is attached at (`aws ec2 attach-volume … --volume-id V --device D`), how the device
//! is formatted (`mkfs.xfs D`, `mkfs -t ext4 D`) and where it is mounted (`mount D PATH`, or an
//! fstab line `D PATH FS …` with `mount PATH`). Simple `NAME=value` assignments are followed;
//! anything else in the script is not interpreted.

use std::collections::BTreeMap;

#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Disks {
    /// Device → the volume reference given to attach-volume (as it appears in the text).
    pub attached: BTreeMap<String, String>,
    /// Device → mount path.
    pub mounted: BTreeMap<String, String>,
    /// Device → filesystem.
    pub formatted: BTreeMap<String, String>,
}

/// Commands of a script: lines, split at `;`, `&&` and `||`.
fn commands(script: &str) -> Vec<String> {
    script
        .lines()
        .flat_map(|line| {
            let line = line.split(" #").next().unwrap_or(line);
            line.split("&&")
                .flat_map(|p| p.split("||"))
                .flat_map(|p| p.split(';'))
                .map(|p| p.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty() && !c.starts_with('#'))
        .collect()
}

fn words(command: &str) -> Vec<String> {
    command
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect()
}

fn expand(word: &str, vars: &BTreeMap<String, String>) -> String {
    let name = word
        .strip_prefix("${")
        .and_then(|w| w.strip_suffix('}'))
        .or_else(|| word.strip_prefix('$'));
    name.and_then(|n| vars.get(n))
        .cloned()
        .unwrap_or_else(|| word.to_string())
}

pub(super) fn read(script: &str) -> Disks {
    let mut disks = Disks::default();
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    for command in commands(script) {
        let raw = words(&command);
        if let [only] = raw.as_slice() {
            if let Some((name, value)) = only.split_once('=') {
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    vars.insert(name.to_string(), value.trim_matches('"').to_string());
                    continue;
                }
            }
        }
        let w: Vec<String> = raw.iter().map(|w| expand(w, &vars)).collect();
        let after = |flag: &str| {
            w.iter()
                .position(|x| x == flag)
                .and_then(|i| w.get(i + 1))
                .cloned()
        };
        if w.iter().any(|x| x == "attach-volume") {
            if let (Some(volume), Some(device)) = (after("--volume-id"), after("--device")) {
                disks.attached.insert(device, volume);
            }
        } else if w.iter().any(|x| x.contains("/etc/fstab")) && command.contains("echo") {
            fstab_line(&command, &vars, &mut disks);
        } else if let Some(tool) = w.first().filter(|t| t.starts_with("mkfs")) {
            let fs = tool
                .strip_prefix("mkfs.")
                .map(str::to_string)
                .or_else(|| after("-t"));
            if let (Some(fs), Some(device)) = (fs, w.iter().rev().find(|x| x.starts_with("/dev/")))
            {
                disks.formatted.insert(device.clone(), fs);
            }
        } else if w.first().is_some_and(|t| t == "mount") {
            mount(&w, &mut disks);
        }
    }
    disks
}

/// `echo 'D PATH FS opts 0 2' >> /etc/fstab`
fn fstab_line(command: &str, vars: &BTreeMap<String, String>, disks: &mut Disks) {
    let quoted = command.split(['\'', '"']).nth(1).unwrap_or_default();
    let fields: Vec<String> = quoted.split_whitespace().map(|f| expand(f, vars)).collect();
    if let [device, path, fs, ..] = fields.as_slice() {
        if device.starts_with("/dev/") && path.starts_with('/') {
            disks.mounted.insert(device.clone(), path.clone());
            disks
                .formatted
                .entry(device.clone())
                .or_insert_with(|| fs.clone());
        }
    }
}

/// `mount [-t FS] [-o OPTS] D PATH`
fn mount(w: &[String], disks: &mut Disks) {
    let mut fs = None;
    let mut positional = Vec::new();
    let mut i = 1;
    while i < w.len() {
        match w[i].as_str() {
            "-t" => {
                fs = w.get(i + 1).cloned();
                i += 1;
            }
            "-o" | "-L" | "-U" => i += 1,
            flag if flag.starts_with('-') => {}
            other => positional.push(other.to_string()),
        }
        i += 1;
    }
    if let [device, path] = positional.as_slice() {
        if device.starts_with("/dev/") {
            disks.mounted.insert(device.clone(), path.clone());
            if let Some(fs) = fs {
                disks.formatted.entry(device.clone()).or_insert(fs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attach_format_and_mount_are_followed_through_variables_and_fstab() {
        let script = "#!/bin/bash\nset -e\nDEV=/dev/xvdf\n\
            aws ec2 attach-volume --volume-id ${Vault} --instance-id $ID --device $DEV\n\
            blkid $DEV || mkfs.xfs -f $DEV\n\
            mkdir -p /data/vault && mount $DEV /data/vault\n\
            aws ec2 attach-volume --volume-id vol-0123456789abcdef0 --instance-id $ID --device /dev/xvdg\n\
            mkfs -t ext4 /dev/xvdg\n\
            echo '/dev/xvdg /data/redis ext4 defaults,nofail 0 2' >> /etc/fstab\nmount -a\n\
            aws ec2 attach-volume --volume-id ${Other} --device /dev/xvdh\nmount -o noatime -t btrfs /dev/xvdh /srv\n";
        let d = read(script);
        assert_eq!(d.attached["/dev/xvdf"], "${Vault}");
        assert_eq!(d.mounted["/dev/xvdf"], "/data/vault");
        assert_eq!(d.formatted["/dev/xvdf"], "xfs");
        assert_eq!(d.attached["/dev/xvdg"], "vol-0123456789abcdef0");
        assert_eq!(d.mounted["/dev/xvdg"], "/data/redis");
        assert_eq!(d.formatted["/dev/xvdg"], "ext4");
        assert_eq!(d.mounted["/dev/xvdh"], "/srv");
        assert_eq!(d.formatted["/dev/xvdh"], "btrfs");
    }

    #[test]
    fn a_script_that_does_not_say_leaves_the_filesystem_unknown() {
        let d = read(
            "aws ec2 attach-volume --volume-id ${V} --device /dev/sdf\nmount /dev/sdf /data\n",
        );
        assert_eq!(d.mounted["/dev/sdf"], "/data");
        assert!(d.formatted.is_empty());
    }
}
