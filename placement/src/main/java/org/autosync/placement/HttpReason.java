package org.autosync.placement;

/** Reason phrases for the statuses a Swift container write can plausibly return. */
final class HttpReason {

    private HttpReason() {
    }

    /** The standard phrase, or empty for statuses not listed. */
    static String phrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            case 498 -> "Rate Limited";
            case 499 -> "Client Disconnect";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 507 -> "Insufficient Storage";
            default -> "";
        };
    }
}
