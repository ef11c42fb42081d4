//! AWS identity: the task role becomes the ServiceAccount's IRSA role; the execution role's
//! duties (image pulls, secret fetches, log writes) move to the node and to cluster add-ons.

use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Code;
use crate::report::Report;
use crate::workload::Workload;

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    if let Some(role) = &td.task_role_arn {
        w.role_arn = Some(role.clone());
        report.info(
            Code::IrsaTrust,
            &td.path.key("taskRoleArn"),
            format!("pods assume {role} through their ServiceAccount (IRSA)"),
            "the role's trust policy must allow the cluster's OIDC provider and this ServiceAccount",
        );
    }
    if let Some(role) = &td.execution_role_arn {
        report.info(
            Code::ExecRole,
            &td.path.key("executionRoleArn"),
            format!("execution role {role} pulled images, fetched secrets and wrote logs on ECS"),
            "not used by the pod: grant those rights to the node role and to the secrets and log agents",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    #[test]
    fn task_role_becomes_the_service_account_role() {
        let loaded = ecs::from_str(r#"{"taskRoleArn":"arn:aws:iam::1:role/app","executionRoleArn":"arn:aws:iam::1:role/exec","containerDefinitions":[{"name":"a","image":"x"}]}"#, "t.json").unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        let mut report = Report::default();
        apply(&loaded.task, &mut w, &mut report).unwrap();
        assert_eq!(w.role_arn.as_deref(), Some("arn:aws:iam::1:role/app"));
        let codes: Vec<_> = report.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::IrsaTrust, Code::ExecRole]);
    }
}
