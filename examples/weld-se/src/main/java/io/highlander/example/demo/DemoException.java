package io.highlander.example.demo;

/** A failure the user can act on; its message is one line and the demo prints only that. */
final class DemoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DemoException(String message) {
        super(message);
    }
}
