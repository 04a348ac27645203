package dev.relay.config;

import java.net.URI;
import java.net.URISyntaxException;

final class Urls {
    private Urls() {}

    /** Accepts null (unset) or an absolute http(s) URL. */
    static String check(String key, String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (uri.getHost() == null || scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
                throw new IllegalArgumentException(key + " must be an http:// or https:// URL, not \"" + url + "\"");
            }
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " is not a valid URL: " + e.getMessage());
        }
    }
}
