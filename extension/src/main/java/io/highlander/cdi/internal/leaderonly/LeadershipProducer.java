package io.highlander.cdi.internal.leaderonly;

import io.highlander.cdi.ClusterSingleton;
import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.Leadership;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.election.Elections;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.InjectionPoint;

/**
 * Makes the unqualified {@link Leadership} of a {@link ClusterSingleton} bean: the term its instance is created in
 * (on the singleton's lifecycle thread, while the term runs). The {@code @OfSingleton("name")} ones are synthetic
 * beans of each extension, one per election.
 */
@Dependent
public class LeadershipProducer {

    /**
     * @param injectionPoint where it goes: a field or parameter of a cluster singleton
     * @param elector        the node's elections
     * @return the term the instance belongs to
     */
    @Produces
    @Dependent
    Leadership termOfSingleton(InjectionPoint injectionPoint, LeaderElector elector) {
        Bean<?> bean = injectionPoint.getBean();
        ClusterSingleton singleton = bean == null ? null : bean.getBeanClass().getAnnotation(ClusterSingleton.class);
        if (singleton == null) {
            throw new IllegalStateException(Messages.leadershipOutsideSingleton(bean == null
                    ? String.valueOf(injectionPoint.getMember()) : bean.getBeanClass().getName()));
        }
        String name = singleton.value().isEmpty() ? bean.getBeanClass().getName() : singleton.value();
        return ((Elections) elector).leadership(name, true);
    }
}
