//! A placement constraint, of a task definition or a service.

use crate::json_path::JsonPath;

/// `placementConstraints[]`: its type (memberOf, distinctInstance) and expression.
#[derive(Debug, Clone)]
pub(crate) struct PlacementConstraint {
    pub kind: String,
    pub expression: Option<String>,
    pub path: JsonPath,
}
