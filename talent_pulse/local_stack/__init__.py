"""The no-Docker local stack: a real Kafka broker (KRaft), redis-server and moto server on 127.0.0.1."""
