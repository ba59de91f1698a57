//! Errors in OpenAI's JSON shape, so the official clients raise their usual exceptions.

use std::time::Duration;

use axum::{
	http::{header, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use serde_json::json;

/// An error answer: status, OpenAI error type, message, and optional parameter and code.
#[derive(Debug)]
pub struct ApiError {
	/// The HTTP status.
	pub status: StatusCode,
	/// OpenAI's `type`: `invalid_request_error` or `server_error`.
	pub kind: &'static str,
	/// What went wrong, for a person.
	pub message: String,
	/// The request field at fault.
	pub param: Option<&'static str>,
	/// A stable, machine-readable code.
	pub code: Option<&'static str>,
	/// Sent as `Retry-After` (whole seconds, rounded up).
	pub retry_after: Option<Duration>,
}

impl ApiError {
	/// 400 `invalid_request_error`.
	pub fn invalid(message: impl Into<String>, param: Option<&'static str>) -> Self {
		Self {
			status: StatusCode::BAD_REQUEST,
			kind: "invalid_request_error",
			message: message.into(),
			param,
			code: None,
			retry_after: None,
		}
	}

	/// Sets the machine-readable code.
	pub fn with_code(mut self, code: &'static str) -> Self {
		self.code = Some(code);
		self
	}

	/// 404 `model_not_found`.
	pub fn unknown_model(asked: &str, served: &str) -> Self {
		Self {
			status: StatusCode::NOT_FOUND,
			kind: "invalid_request_error",
			message: format!("The model `{asked}` does not exist; this worker serves `{served}`."),
			param: Some("model"),
			code: Some("model_not_found"),
			retry_after: None,
		}
	}

	/// 401 for a missing or bad client signature.
	pub fn unauthorized(message: impl Into<String>) -> Self {
		Self {
			status: StatusCode::UNAUTHORIZED,
			kind: "invalid_request_error",
			message: message.into(),
			param: None,
			code: Some("invalid_signature"),
			retry_after: None,
		}
	}

	/// 404 for a resource that is not here.
	pub fn not_found(message: impl Into<String>) -> Self {
		Self {
			status: StatusCode::NOT_FOUND,
			kind: "invalid_request_error",
			message: message.into(),
			param: None,
			code: Some("not_found"),
			retry_after: None,
		}
	}

	/// 429: the worker is at capacity; the client should retry after `retry_after`. OpenAI
	/// answers its rate limits in this shape, so its clients back off and retry by themselves.
	pub fn overloaded(message: impl Into<String>, retry_after: Duration) -> Self {
		Self {
			status: StatusCode::TOO_MANY_REQUESTS,
			kind: "requests",
			message: message.into(),
			param: None,
			code: Some("rate_limit_exceeded"),
			retry_after: Some(retry_after),
		}
	}

	/// 500: the worker failed; the message is logged, the client gets a generic one.
	pub fn internal(error: anyhow::Error) -> Self {
		tracing::error!("request failed: {error:#}");
		Self {
			status: StatusCode::INTERNAL_SERVER_ERROR,
			kind: "server_error",
			message: "The worker failed to process the request.".into(),
			param: None,
			code: None,
			retry_after: None,
		}
	}
}

impl IntoResponse for ApiError {
	fn into_response(self) -> Response {
		let body = json!({
			"error": { "message": self.message, "type": self.kind, "param": self.param, "code": self.code }
		});
		let mut response = (self.status, Json(body)).into_response();
		if let Some(after) = self.retry_after {
			let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
			response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
		}
		response
	}
}
