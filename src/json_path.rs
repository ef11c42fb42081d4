//! A location inside an input document, printed two ways: dotted for people
//! (`containerDefinitions[1].image`) and as a JSON pointer for the machine-readable report.
//!
//! A path also knows how its document spells field names. Readers ask for the API's names
//! (`containerName`); below a CloudFormation resource the path spells them as the template does
//! (`ContainerName`), so a template is read in place and every finding and error already names
//! the keys in the file the user has.

use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Segment {
    Key(String),
    Index(usize),
}

/// How the document below a path spells the API's field names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Naming {
    /// As the ECS API does: camelCase.
    #[default]
    Api,
    /// As CloudFormation does: PascalCase, with a few names of its own.
    Template,
    /// Keys of user data (Docker labels, log options): as written.
    Verbatim,
}

/// CloudFormation properties whose values are maps of user data: their keys keep their case.
const USER_MAPS: &[&str] = &["DockerLabels", "Options", "DriverOpts", "Labels"];

/// The CloudFormation name of an API field name.
fn template_name(key: &str) -> String {
    match key {
        "efsVolumeConfiguration" => "EFSVolumeConfiguration".into(),
        "fileSystemId" => "FilesystemId".into(),
        "iam" => "IAM".into(),
        "fsxWindowsFileServerVolumeConfiguration" => {
            "FSxWindowsFileServerVolumeConfiguration".into()
        }
        "properties" => "ProxyConfigurationProperties".into(),
        "placementStrategy" => "PlacementStrategies".into(),
        _ => {
            let mut chars = key.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        }
    }
}

/// A path shares its parent's segments: a step is one small allocation, not a copy of the
/// whole path, so a model holding a path per value stays small (a batch of 20,000 task
/// definitions holds them all until the plan is complete).
#[derive(Clone, Default)]
pub(crate) struct JsonPath {
    last: Option<Arc<Step>>,
    naming: Naming,
}

struct Step {
    parent: Option<Arc<Step>>,
    segment: Segment,
}

impl JsonPath {
    /// The segments from the root down.
    fn segments(&self) -> Vec<&Segment> {
        let mut out = Vec::new();
        let mut at = self.last.as_deref();
        while let Some(step) = at {
            out.push(&step.segment);
            at = step.parent.as_deref();
        }
        out.reverse();
        out
    }
}

impl PartialEq for JsonPath {
    fn eq(&self, other: &Self) -> bool {
        self.naming == other.naming && self.segments() == other.segments()
    }
}

impl Eq for JsonPath {}

impl PartialOrd for JsonPath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for JsonPath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.segments(), self.naming).cmp(&(other.segments(), other.naming))
    }
}

impl std::hash::Hash for JsonPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.segments().hash(state);
        self.naming.hash(state);
    }
}

impl fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonPath({:?})", self.pointer())
    }
}

impl JsonPath {
    pub(crate) fn root() -> Self {
        JsonPath::default()
    }

    /// The same location, with the fields below it spelled as CloudFormation spells them.
    pub(crate) fn in_template(mut self) -> Self {
        self.naming = Naming::Template;
        self
    }

    /// How the document spells the API field `key` at this level.
    pub(crate) fn name_of(&self, key: &str) -> String {
        match self.naming {
            Naming::Template => template_name(key),
            Naming::Api | Naming::Verbatim => key.to_string(),
        }
    }

    /// The path to the API field `key`, spelled as the document spells it.
    pub(crate) fn key(&self, key: &str) -> Self {
        let name = self.name_of(key);
        let naming = match self.naming {
            Naming::Template if USER_MAPS.contains(&name.as_str()) => Naming::Verbatim,
            other => other,
        };
        self.push(Segment::Key(name), naming)
    }

    /// The path to a key exactly as the document writes it (a key read from the document).
    pub(crate) fn verbatim(&self, key: &str) -> Self {
        let naming = match self.naming {
            Naming::Template if USER_MAPS.contains(&key) => Naming::Verbatim,
            other => other,
        };
        self.push(Segment::Key(key.to_string()), naming)
    }

    /// The path down a JSON pointer written in the document's own spelling (`/Targets/0/Arn`).
    pub(crate) fn below(&self, pointer: &str) -> Self {
        pointer
            .split('/')
            .skip(1)
            .fold(self.clone(), |at, key| match key.parse::<usize>() {
                Ok(i) => at.index(i),
                Err(_) => at.verbatim(key),
            })
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        self.push(Segment::Index(index), self.naming)
    }

    fn push(&self, segment: Segment, naming: Naming) -> Self {
        let step = Step {
            parent: self.last.clone(),
            segment,
        };
        JsonPath {
            last: Some(Arc::new(step)),
            naming,
        }
    }

    /// `containerDefinitions[1].portMappings[0].containerPort`; the root is `(top level)`.
    pub(crate) fn dotted(&self) -> String {
        if self.last.is_none() {
            return "(top level)".to_string();
        }
        let mut out = String::new();
        for segment in self.segments() {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// RFC 6901 pointer: `/containerDefinitions/1/portMappings/0/containerPort`.
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::new();
        for segment in self.segments() {
            out.push('/');
            match segment {
                Segment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dotted())
    }
}

/// A value read from the input, with where it was read, so findings about it point there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located<T> {
    pub value: T,
    pub path: JsonPath,
}

impl<T> Located<T> {
    pub(crate) fn new(value: T, path: JsonPath) -> Located<T> {
        Located { value, path }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_dotted_and_pointer_forms() {
        let p = JsonPath::root()
            .key("containerDefinitions")
            .index(1)
            .key("portMappings")
            .index(0)
            .key("containerPort");
        assert_eq!(
            p.dotted(),
            "containerDefinitions[1].portMappings[0].containerPort"
        );
        assert_eq!(
            p.pointer(),
            "/containerDefinitions/1/portMappings/0/containerPort"
        );
    }

    #[test]
    fn template_paths_spell_keys_as_the_template_does() {
        let p = JsonPath::root()
            .key("Resources")
            .key("Task")
            .key("Properties")
            .in_template();
        assert_eq!(
            p.key("containerDefinitions").index(0).key("logConfiguration").key("options").key("awslogs-group").pointer(),
            "/Resources/Task/Properties/ContainerDefinitions/0/LogConfiguration/Options/awslogs-group"
        );
        assert_eq!(
            p.key("volumes")
                .index(1)
                .key("efsVolumeConfiguration")
                .key("fileSystemId")
                .dotted(),
            "Resources.Task.Properties.Volumes[1].EFSVolumeConfiguration.FilesystemId"
        );
        assert_eq!(
            p.key("containerDefinitions")
                .index(0)
                .key("dockerLabels")
                .key("my.label")
                .pointer(),
            "/Resources/Task/Properties/ContainerDefinitions/0/DockerLabels/my.label"
        );
        assert_eq!(
            p.verbatim("TaskRoleArn").pointer(),
            "/Resources/Task/Properties/TaskRoleArn"
        );
    }

    #[test]
    fn escapes_pointer_specials() {
        let p = JsonPath::root().key("dockerLabels").key("a/b~c");
        assert_eq!(p.pointer(), "/dockerLabels/a~1b~0c");
        assert_eq!(JsonPath::root().dotted(), "(top level)");
    }
}
