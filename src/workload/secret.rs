//! Where a secret's value is fetched from, in the model's own terms: the chart decides how an
//! operator spells it.

/// The AWS service that holds a secret's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecretStore {
    SecretsManager,
    ParameterStore,
}

/// One version of a Secrets Manager secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SecretVersion {
    /// A staging label, such as AWSPREVIOUS.
    Stage(String),
    /// A version id.
    Id(String),
}

/// One secret key's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretRef {
    pub store: SecretStore,
    /// The secret's ARN (without selectors) or the parameter's name.
    pub key: String,
    /// The JSON key inside a Secrets Manager secret.
    pub property: Option<String>,
    pub version: Option<SecretVersion>,
    pub region: Option<String>,
}
