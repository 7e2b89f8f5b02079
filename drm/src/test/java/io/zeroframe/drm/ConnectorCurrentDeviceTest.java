package io.zeroframe.drm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.zeroframe.bindings.testing.NoLeaks;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DrmDevice#connectorCurrent} (GETCONNECTOR without a forced probe) reports what the probing read found:
 * the same status, modes and encoders, on vkms (with its writeback connector, which lists modes too) and virtio-gpu.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class ConnectorCurrentDeviceTest {
    @ParameterizedTest
    @ValueSource(strings = {"vkms", "virtio_gpu"})
    void theCurrentStateIsWhatTheProbeFound(String driver) throws Exception {
        try (DrmDevice card = Cards.open(driver)) {
            List<Connector> probed = card.connectors(); // master: probes, so the kernel's mode lists are filled
            List<Connector> current = card.connectorsCurrent();
            assertEquals(probed.size(), current.size());
            for (int i = 0; i < probed.size(); i++) {
                Connector p = probed.get(i);
                Connector c = current.get(i);
                assertEquals(p.id(), c.id());
                assertEquals(p.name(), c.name());
                assertEquals(p.status(), c.status(), p.name());
                assertEquals(p.modes(), c.modes(), p.name());
                assertEquals(p.encoder(), c.encoder(), p.name());
                assertEquals(p.encoders(), c.encoders(), p.name());
                assertEquals(p.widthMm(), c.widthMm(), p.name());
                assertEquals(p.edid(), c.edid(), p.name());
                assertEquals(c, card.connectorCurrent(c.id()));
                assertFalse(c.modes().isEmpty(), p.name() + " has modes");
                System.out.println(driver + " " + c.name() + ": " + c.status() + ", " + c.modes().size()
                        + " modes without a probe, as with one");
            }
            if (driver.equals("vkms")) {
                Connector writeback = current.stream().filter(c -> c.type().equals(ConnectorType.WRITEBACK))
                        .findFirst().orElseThrow();
                assertEquals(34, writeback.modes().size(), "vkms's Writeback-1 lists modes");
            }
        }
    }
}
