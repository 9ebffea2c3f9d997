package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.HighlanderSettings;
import org.junit.jupiter.api.Test;

class LockKeyTest {

    @Test
    void keyIsTheFirstFourBytesOfTheSha256OfTheName() {
        // python3 -c "import hashlib,struct;print(struct.unpack('>i',hashlib.sha256(b'nightly-report').digest()[:4])[0])"
        assertThat(LockKey.hash("nightly-report")).isEqualTo(1732491792);
    }

    @Test
    void defaultNamespaceIsTheHashOfTheLibrarysName() {
        assertThat(HighlanderSettings.DEFAULT_NAMESPACE).isEqualTo(LockKey.hash("io.highlander"));
    }

    @Test
    void pgLocksShowsNegativeKeysAsUnsignedOids() {
        LockKey key = new LockKey(-1, -2);

        assertThat(key.classId()).isEqualTo(4294967295L);
        assertThat(key.objectId()).isEqualTo(4294967294L);
    }
}
