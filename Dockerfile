# syntax=docker/dockerfile:1
#
# podguard's container image: built with the Maven wrapper on a JDK 25 image, run on a JRE 25
# image as a non-root numeric user, from Spring Boot's layers, with a Java AOT cache trained at
# build time (JDK 25, JEP 514/515) so a new replica takes traffic sooner.
#
#   docker build -t podguard .
#   docker run --rm -p 8443:8443 -p 8081:8081 podguard
#
# No HEALTHCHECK: Kubernetes probes /livez and /readyz on the management port (see the chart).

ARG JDK_IMAGE=eclipse-temurin:25-jdk
ARG JRE_IMAGE=eclipse-temurin:25-jre

# ---- build: the jar, then its layers ----------------------------------------------------------
FROM ${JDK_IMAGE} AS build
WORKDIR /src
# The Maven repository is a build cache mount, so dependencies download once per builder.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/main/ src/main/
COPY src/build/ src/build/
# Tests run in CI, not here: maven.test.skip skips compiling them too. The launcher's layout and
# cache are made below, on the runtime JRE (podguard.launcher.skip).
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -q -Dmaven.test.skip=true -Dpodguard.launcher.skip=true package
# dependencies/, spring-boot-loader/, snapshot-dependencies/, application/: one image layer each,
# least to most often changed. Without --launcher the application stays a plain jar with lib/
# beside it, which is what the AOT cache needs (it caches classes loaded from jar files on the
# class path, not from jars nested in a jar).
RUN java -Djarmode=tools -jar target/podguard.jar extract --layers --destination /layers
# BouncyCastle's jars go unsigned, as `./mvnw package` leaves them in target/podguard/lib: Java
# verifies a signed jar whenever it opens it, and the AOT cache holds no class from one. podguard
# registers no JCE provider, the only use of those signatures (see pom.xml).
RUN cd /layers/dependencies/lib && for j in bc*-jdk18on-*.jar; do \
      mkdir unsigned && (cd unsigned && jar -xf "../$j" && rm -f META-INF/*.SF META-INF/*.RSA META-INF/*.DSA META-INF/*.EC) \
      && jar -c -f "$j" -M -C unsigned . && rm -rf unsigned; \
    done
# picocli's Java 5 class files re-targeted to Java 8 (stack maps computed, bytecode unchanged), as
# `./mvnw package` does for target/podguard/lib: an AOT cache holds no class older than Java 6.
RUN java src/build/RetargetClassFiles.java /layers/dependencies/lib/picocli-*.jar

# ---- runtime ----------------------------------------------------------------------------------
FROM ${JRE_IMAGE}
LABEL org.opencontainers.image.title="podguard" \
      org.opencontainers.image.description="Kubernetes admission webhook for Pods: Pod Security Standards, PodSecurityPolicy and defaults" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./

# AOT cache training run (JDK 25 one-step -XX:AOTCacheOutput, with method profiles): `serve` as
# the chart starts it (the default policy as a file, a generated certificate, both ports on
# loopback) until /readyz answers, then the request path: reviews of several shapes to /validate
# and /mutate over HTTPS and the management endpoints (io.podguard.cli.ServerTraining). No cluster
# is needed. It must run here, on the runtime JRE with the same jar paths and the ENTRYPOINT's
# flags, or the JVM would refuse the cache at start-up.
RUN java -XX:+ExitOnOutOfMemoryError --sun-misc-unsafe-memory-access=allow -XX:AOTCacheOutput=/app/podguard.aot -Dspring.aot.enabled=true \
        -cp /app/podguard.jar io.podguard.cli.AotTraining serve \
    && rm -rf /tmp/hsperfdata_* \
    && chmod 0444 /app/podguard.aot
# The command line in the image (`kubectl exec … -- podguard check -`): bin/podguard with the AOT
# cache of a training run of the offline commands, trained with the flags the launcher uses for them.
COPY bin/podguard /usr/local/bin/podguard
ENV PODGUARD_HOME=/app
RUN java --sun-misc-unsafe-memory-access=allow -XX:AOTCacheOutput=/app/podguard-cli.aot -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -cp /app/podguard.jar io.podguard.cli.AotTraining \
    && rm -rf /tmp/hsperfdata_* \
    && chmod 0444 /app/podguard-cli.aot \
    && podguard version

# A numeric UID/GID (65532, "nonroot") so runAsNonRoot can be verified without /etc/passwd.
USER 65532:65532
EXPOSE 8443 8081
# -XX:AOTCache without -XX:AOTMode=on: should the cache not fit (other JVM flags), the JVM starts without it.
# -XX:+ExitOnOutOfMemoryError: a JVM whose threads died of OutOfMemoryError answers nothing and
# never recovers; exiting lets the kubelet restart it.
# --sun-misc-unsafe-memory-access=allow: protobuf (under CEL) uses sun.misc.Unsafe, which JDK 25 warns about on stderr.
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "--sun-misc-unsafe-memory-access=allow", "-XX:AOTCache=/app/podguard.aot", "-Dspring.aot.enabled=true", "-jar", "/app/podguard.jar"]
CMD ["serve"]
