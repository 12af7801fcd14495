package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicTest {

    @Test
    void filtersMapToTheTopicsParleySpeaks() {
        assertThat(Topic.filter("conversations/cnv_1")).isEqualTo(new Topic.Messages("cnv_1"));
        assertThat(Topic.filter("conversations/cnv_1/log")).isEqualTo(new Topic.Log("cnv_1"));
        assertThat(Topic.filter("conversations/+")).isEqualTo(new Topic.AllMessages());
        assertThat(Topic.filter("users/me/events")).isEqualTo(new Topic.Events());
    }

    @Test
    void everythingElseIsRefusedWithAReason() {
        assertThat(Topic.filter("$SYS/#")).isEqualTo(new Topic.Refused(Topic.Why.SYSTEM));
        assertThat(Topic.filter("$share/g/conversations/x")).isEqualTo(new Topic.Refused(Topic.Why.SHARED));
        assertThat(Topic.filter("#")).isEqualTo(new Topic.Refused(Topic.Why.WILDCARD));
        assertThat(Topic.filter("conversations/+/log")).isEqualTo(new Topic.Refused(Topic.Why.WILDCARD));
        assertThat(Topic.filter("conversations/a/b")).isEqualTo(new Topic.Refused(Topic.Why.UNKNOWN));
        assertThat(Topic.filter("conversations/")).isEqualTo(new Topic.Refused(Topic.Why.UNKNOWN));
        assertThat(Topic.filter("conversations/" + "x".repeat(300))).isEqualTo(new Topic.Refused(Topic.Why.UNKNOWN));
    }

    @Test
    void onlyAConversationTopicMayBePublishedTo() {
        assertThat(Topic.name("conversations/cnv_1")).isEqualTo(new Topic.Messages("cnv_1"));
        assertThat(Topic.name("conversations/cnv_1/log")).isInstanceOf(Topic.Refused.class);
        assertThat(Topic.name("users/me/events")).isInstanceOf(Topic.Refused.class);
        assertThat(Topic.name("$SYS/broker/uptime")).isEqualTo(new Topic.Refused(Topic.Why.SYSTEM));
    }
}
