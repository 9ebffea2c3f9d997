package io.highlander.example.quarkus;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.SingletonStatus;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Shows what this node knows of the election, and calls the singleton where it runs. */
@Path("/")
public class StatusResource {

    @Inject
    LeaderElector elector;

    @Inject
    Ticker ticker;

    @Inject
    LeaderWork work;

    /** @return each singleton's status on this node */
    @GET
    @Path("status")
    public List<SingletonStatus> status() {
        return elector.status();
    }

    /**
     * Calls {@link LeaderWork#sweep()}: it runs where the ticker runs, and is skipped on every other node.
     *
     * @return how often it ran on this node, and the last run's fencing token
     */
    @POST
    @Path("sweep")
    public LeaderWork.Runs.Count sweep() {
        work.sweep();
        return work.sweeps();
    }

    /**
     * Calls {@link LeaderWork#report()}: it runs where this node leads {@value LeaderWork#REPORT}.
     *
     * @return how often it ran on this node, and the last run's fencing token
     */
    @POST
    @Path("report")
    public LeaderWork.Runs.Count report() {
        work.report();
        return work.reports();
    }

    /**
     * @return how often Quarkus' scheduler ran {@link LeaderWork#scheduledSweep()} on this node (it fires on every
     *         node, and runs only where the ticker runs), and the last run's fencing token
     */
    @GET
    @Path("scheduled")
    public LeaderWork.Runs.Count scheduled() {
        return work.scheduledSweeps();
    }

    /** @return when the singleton started, on the leader; 409 on any other node */
    @GET
    @Path("ticker")
    public Response ticker() {
        try {
            return Response.ok(ticker.started().toString()).build();
        } catch (NotLeaderException e) {
            return Response.status(Response.Status.CONFLICT).entity(e.getMessage()).build();
        }
    }
}
