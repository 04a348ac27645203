///usr/bin/env jbang "$0" "$@" ; exit $?
// Relay from a checkout with nothing installed but a JDK (17+) and jbang:   jbang jbang/relay.java [COMMAND ...]
// It compiles the sources of this repository with the same dependencies as pom.xml (a test keeps the two lists equal).
//JAVA 17+
//JAVAC_OPTIONS -XDignore.symbol.file
//DEPS info.picocli:picocli:4.7.6
//DEPS com.fasterxml.jackson.core:jackson-databind:2.18.2
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.18.2
//DEPS com.squareup.okhttp3:okhttp:4.12.0
//DEPS com.googlecode.lanterna:lanterna:3.1.3
//DEPS com.github.docker-java:docker-java-core:3.5.1
//DEPS com.github.docker-java:docker-java-transport-httpclient5:3.5.1
//DEPS org.jline:jline:3.28.0
//DEPS org.slf4j:slf4j-api:2.0.16
//DEPS ch.qos.logback:logback-classic:1.5.12
//SOURCES ../src/main/java/dev/relay/**.java
//FILES dev/relay/config-template.yaml=../src/main/resources/dev/relay/config-template.yaml
//FILES dev/relay/coordinator-prompt.md=../src/main/resources/dev/relay/coordinator-prompt.md
//FILES dev/relay/env-template=../src/main/resources/dev/relay/env-template
//FILES dev/relay/prices.json=../src/main/resources/dev/relay/prices.json
//FILES dev/relay/summarization-prompt.md=../src/main/resources/dev/relay/summarization-prompt.md
//FILES logback.xml=../src/main/resources/logback.xml

/** The jbang entry point: the same command line as target/relay.jar. */
public class relay {
    public static void main(String... args) {
        dev.relay.cli.Main.main(args);
    }
}
