package io.highlander.cdi.internal.lite;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.internal.election.Elections;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.build.compatible.spi.Parameters;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticBeanCreator;

/** Makes an {@code @OfSingleton("name") Leadership}: a view that follows the named election from term to term. */
public final class LeadershipCreator implements SyntheticBeanCreator<Leadership> {

    /** Parameter: the election's name. */
    static final String NAME = "name";

    @Override
    public Leadership create(Instance<Object> lookup, Parameters parameters) {
        return ((Elections) lookup.select(LeaderElector.class).get()).leadership(parameters.get(NAME, String.class), false);
    }
}
