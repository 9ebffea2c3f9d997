package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NoticeTest {

    @Test
    void everyNoticeParsesBackFromItsPayload() {
        List<Notice> notices = List.of(new Notice.Joined(7, -5), new Notice.Gone(-7, 12), new Notice.Wake(0, 1),
                new Notice.Acquired(7, -3, 123_456_789_012L), new Notice.Released(7, 3, 99, true),
                new Notice.Released(7, 3, 99, false));
        for (Notice notice : notices) {
            assertThat(Notice.parse(notice.payload())).as(notice.payload()).contains(notice);
        }
    }

    @Test
    void aPayloadNamesItsVersionNamespaceAndKindWithUnsignedNumbers() {
        assertThat(new Notice.Joined(-1, -2).payload()).isEqualTo("hl1 4294967295 joined 4294967294");
        assertThat(new Notice.Released(7, 3, 99, false).payload()).isEqualTo("hl1 7 abandoned 3 99");
        assertThat(new Notice.Acquired(7, 3, 99).payload()).isEqualTo(Notice.Acquired.prefix(7) + "3 99");
    }

    @Test
    void whatIsNotOursParsesToNothing() {
        assertThat(List.of("", "released 3 99", "hl2 7 joined 1", "hl1 7 joined", "hl1 7 joined 1 2",
                "hl1 x joined 1", "hl1 7 fired 1", "hl1 7 acquired 3", "hl1 7 acquired 3 x", "hl1 7 joined -1",
                "hl1 4294967296 joined 1"))
                .allSatisfy(payload -> assertThat(Notice.parse(payload)).as(payload).isEmpty());
        assertThat(Notice.parse(null)).isEmpty();
    }
}
