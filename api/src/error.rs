//! One error type for the whole service.
//!
//! Every failure a resolver or service can meet is an [`AppError`]. It maps to a GraphQL
//! error whose `extensions.code` is one of `UNAUTHENTICATED`, `FORBIDDEN`,
//! `RATE_LIMITED`, `BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT` or `INTERNAL`. Every code a
//! client can see — these, those of the request checks (`graphql::checks`) and those of
//! the HTTP transport (`transport::codes`) — is an [`ErrorCode`], the one list the
//! README's table follows. Internal errors (database, I/O, bugs) are logged with the
//! request id and answered with a generic message: their text never reaches a client.

use async_graphql::ErrorExtensions;

/// The error codes a client can see in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No valid token.
    Unauthenticated,
    /// The token is valid but may not do this.
    Forbidden,
    /// The input is invalid.
    BadUserInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The edit was based on a stale version.
    Conflict,
    /// Something went wrong on our side.
    Internal,
    /// The document does not parse.
    ParseFailed,
    /// The document is not valid against the schema.
    ValidationFailed,
    /// `operationName` picks no operation of the document.
    OperationResolutionFailure,
    /// The document is over a limit (depth, aliases, fields, cost, recursion,
    /// directives); `extensions.limit` says which.
    LimitExceeded,
    /// An automatic persisted query's hash is not known (yet): send the query text.
    PersistedQueryNotFound,
    /// The token made more requests than its rate allows; retry later.
    RateLimited,
    /// Not a well-formed GraphQL-over-HTTP request (malformed JSON, no `query`, a
    /// parameter of the wrong type, a subscription over HTTP, too large a batch).
    BadRequest,
    /// The method is not allowed here (a mutation over GET, `PUT /graphql`, …).
    MethodNotAllowed,
    /// The `Accept` header allows no type the server writes.
    NotAcceptable,
    /// The request ran longer than `SAMVERKAN_REQUEST_TIMEOUT_SECS`.
    RequestTimeout,
    /// The body is larger than `SAMVERKAN_MAX_BODY_BYTES`.
    PayloadTooLarge,
    /// The URL is longer than the server reads.
    UriTooLong,
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The header fields are larger than `SAMVERKAN_MAX_HEADER_BYTES`, or too many.
    RequestHeaderFieldsTooLarge,
    /// An imported file is larger than `SAMVERKAN_MAX_UPLOAD_BYTES` (the CLI; over HTTP
    /// such an upload is refused first, HTTP 413 `PAYLOAD_TOO_LARGE`).
    FileTooLarge,
    /// An imported file is not XLSX, DOCX or CSV (a PDF, an image, an old `.xls`/`.doc`).
    UnsupportedFile,
    /// An imported file is password-protected.
    FileEncrypted,
    /// An imported file would unpack beyond the limits (a zip bomb).
    FileTooLargeUnpacked,
    /// An imported file has more cells than an import reads (500,000).
    FileTooManyCells,
    /// An imported CSV is not UTF-8 (with or without BOM) or Windows-1252 text.
    FileEncoding,
    /// An imported file has a formula without a computed value.
    FileFormula,
    /// An imported file is damaged, or not what its container says.
    FileCorrupt,
    /// The service cannot answer now (the identity provider's keys were never fetched);
    /// retry later.
    ServiceUnavailable,
}

impl ErrorCode {
    /// The code as it appears in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::Internal => "INTERNAL",
            Self::ParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::ValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::OperationResolutionFailure => "OPERATION_RESOLUTION_FAILURE",
            Self::LimitExceeded => "QUERY_LIMIT_EXCEEDED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::RateLimited => "RATE_LIMITED",
            Self::BadRequest => "BAD_REQUEST",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::NotAcceptable => "NOT_ACCEPTABLE",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UriTooLong => "URI_TOO_LONG",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::RequestHeaderFieldsTooLarge => "REQUEST_HEADER_FIELDS_TOO_LARGE",
            Self::FileTooLarge => "FILE_TOO_LARGE",
            Self::UnsupportedFile => "UNSUPPORTED_FILE",
            Self::FileEncrypted => "FILE_ENCRYPTED",
            Self::FileTooLargeUnpacked => "FILE_TOO_LARGE_UNPACKED",
            Self::FileTooManyCells => "FILE_TOO_MANY_CELLS",
            Self::FileEncoding => "FILE_ENCODING",
            Self::FileFormula => "FILE_FORMULA",
            Self::FileCorrupt => "FILE_CORRUPT",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
        }
    }
}

impl ErrorCode {
    /// A request error with this code: about the request, not a field (no `path`).
    pub fn request_error(
        self,
        message: impl Into<String>,
        pos: Option<async_graphql::Pos>,
    ) -> async_graphql::ServerError {
        let mut err = async_graphql::ServerError::new(message, pos);
        let mut ext = async_graphql::ErrorExtensionValues::default();
        ext.set("code", self.as_str());
        err.extensions = Some(ext);
        err
    }
}

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, malformed, expired or wrongly signed token.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller may not do this; the message says which rule denied it.
    #[error("{0}")]
    Forbidden(String),
    /// The token made more requests than its rate allows; the message says when to retry.
    #[error("{0}")]
    RateLimited(String),
    /// The service cannot check the request now (the identity provider's keys were never
    /// fetched); the message says so.
    #[error("{0}")]
    Unavailable(String),
    /// Invalid input; `field` is the path of the offending input field when known.
    #[error("{message}")]
    BadUserInput {
        /// The input field, e.g. `input.text`.
        field: Option<String>,
        /// What is wrong, for a person.
        message: String,
    },
    /// The thing asked for does not exist; `field` names the input that pointed at it.
    #[error("{message}")]
    NotFound {
        /// The input field, e.g. `input.id`.
        field: Option<String>,
        /// What was not found.
        message: String,
    },
    /// A stale version.
    #[error("{0}")]
    Conflict(String),
    /// An uploaded (or imported) file that cannot be read; its code says why.
    #[error("{0}")]
    File(crate::files::FileError),
    /// A database error. Logged, never shown.
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
    /// Any other internal error. Logged, never shown.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A `BAD_USER_INPUT` error about one input field.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A `NOT_FOUND` error about the thing one input field points at.
    pub fn not_found(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::NotFound {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// The input field an error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadUserInput { field, .. } | Self::NotFound { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The code a client sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::RateLimited(_) => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::BadUserInput { .. } => ErrorCode::BadUserInput,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::File(err) => file_code(err),
            Self::Database(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a client sees: the error's own text, except for internal errors.
    pub fn public_message(&self) -> String {
        match self {
            Self::Database(_) | Self::Internal(_) => {
                "Internal error; it has been logged under the request id in the x-request-id header"
                    .to_string()
            }
            other => other.to_string(),
        }
    }

    /// Turn into a GraphQL error, logging internal errors. Logs are written inside the
    /// request's span, which carries the request id (also sent as `x-request-id`).
    pub fn into_graphql(self) -> async_graphql::Error {
        let code = self.code();
        match &self {
            Self::Database(err) => tracing::error!(error = %err, "database error"),
            Self::Internal(err) => tracing::error!(error = ?err, "internal error"),
            _ => {}
        }
        let field = self.field().map(str::to_owned);
        async_graphql::Error::new(self.public_message()).extend_with(|_, e| {
            e.set("code", code.as_str());
            if let Some(field) = &field {
                e.set("field", field.as_str());
            }
        })
    }
}

impl AppError {
    /// Turn into an error about the request (no `path`) at `pos`, as the checks before
    /// execution answer; logs internal errors as [`AppError::into_graphql`] does.
    pub fn into_server_error(self, pos: Option<async_graphql::Pos>) -> async_graphql::ServerError {
        let err = self.into_graphql();
        let mut server_error = async_graphql::ServerError::new(err.message, pos);
        server_error.extensions = err.extensions;
        server_error
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.into_graphql()
    }
}

/// The code of a file that cannot be read: the same text as [`crate::files::FileError::code`].
fn file_code(err: &crate::files::FileError) -> ErrorCode {
    use crate::files::FileError;
    match err {
        FileError::TooLarge { .. } => ErrorCode::FileTooLarge,
        FileError::NotATable(_) => ErrorCode::UnsupportedFile,
        FileError::Encrypted => ErrorCode::FileEncrypted,
        FileError::ZipBomb(_) => ErrorCode::FileTooLargeUnpacked,
        FileError::TooManyCells { .. } => ErrorCode::FileTooManyCells,
        FileError::Encoding(_) => ErrorCode::FileEncoding,
        FileError::Formula(_) => ErrorCode::FileFormula,
        FileError::Corrupt(_) => ErrorCode::FileCorrupt,
    }
}

/// Shorthand for results of services.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::FileError;

    #[test]
    fn file_errors_keep_the_engines_codes() {
        for err in [
            FileError::TooLarge { size: 2, limit: 1 },
            FileError::NotATable("x".into()),
            FileError::Encrypted,
            FileError::ZipBomb("x".into()),
            FileError::TooManyCells { limit: 1 },
            FileError::Encoding("x".into()),
            FileError::Formula("x".into()),
            FileError::Corrupt("x".into()),
        ] {
            let code = err.code();
            assert_eq!(AppError::File(err).code().as_str(), code);
        }
    }
}
