package io.xaiscale.image;

/** An image that cannot be used: undecodable, truncated, or of an unsupported layout. */
public class DecodeException extends Exception {
    public DecodeException(String message) {
        super(message);
    }

    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
