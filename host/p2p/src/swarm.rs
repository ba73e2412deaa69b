//! The task that owns the libp2p swarm: TCP, noise, yamux and gossipsub on one topic.

use crate::{Command, ENVELOPES_TOPIC, GossipConfig, Heard, MAX_DIALS_PER_ROUND, P2pError};
use futures_util::StreamExt;
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity, ValidationMode};
use libp2p::swarm::SwarmEvent;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::{Multiaddr, Swarm, noise, tcp, yamux};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What the handle can read about the swarm.
#[derive(Debug, Clone, Default)]
pub(crate) struct Status {
    pub peer_id: String,
    pub listening: Vec<String>,
    pub topic_peers: usize,
}

fn parse(addrs: &[String], what: &str) -> Result<Vec<Multiaddr>, P2pError> {
    addrs
        .iter()
        .map(|a| {
            a.parse::<Multiaddr>()
                .map_err(|e| P2pError::InvalidConfig(format!("{what} {a:?} is not a multiaddr (like /ip4/127.0.0.1/tcp/9700): {e}")))
        })
        .collect()
}

/// Builds the swarm, starts listening and dialling, and runs it in a task.
pub(crate) fn spawn(config: &GossipConfig) -> Result<(mpsc::Sender<Command>, watch::Receiver<Status>, mpsc::Receiver<Heard>), P2pError> {
    let listen = parse(&config.listen, "listen address")?;
    let peers = parse(&config.peers, "peer")?;
    let invalid = |e: &dyn std::fmt::Display| P2pError::InvalidConfig(e.to_string());
    let gossip_config = gossipsub::ConfigBuilder::default()
        .max_transmit_size(config.max_message_bytes)
        // Every message is signed by its publisher's transport key and checked on receipt.
        .validation_mode(ValidationMode::Strict)
        .heartbeat_interval(Duration::from_millis(500))
        .build()
        .map_err(|e| invalid(&e))?;
    // The transport identity proves nothing about envelopes (their signatures do), and
    // operator keys never leave the signer; it is kept only so the peer id is stable.
    let key = match &config.identity {
        Some(path) => crate::identity::load_or_create(path)?,
        None => libp2p::identity::Keypair::generate_ed25519(),
    };
    let behaviour = gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), gossip_config).map_err(|e| invalid(&e))?;
    let mut swarm: Swarm<gossipsub::Behaviour> = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
        .map_err(|e| invalid(&e))?
        .with_behaviour(|_| behaviour)
        .map_err(|e| invalid(&e))?
        // Peers stay connected while idle: envelopes come in bursts.
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
        .build();
    let topic = IdentTopic::new(ENVELOPES_TOPIC);
    swarm.behaviour_mut().subscribe(&topic).map_err(|e| invalid(&e))?;
    for addr in listen {
        swarm.listen_on(addr.clone()).map_err(|e| P2pError::InvalidConfig(format!("cannot listen on {addr}: {e}")))?;
    }
    let (commands, rx) = mpsc::channel(1024);
    let (status, status_rx) = watch::channel(Status { peer_id: swarm.local_peer_id().to_string(), ..Status::default() });
    let (heard, heard_rx) = mpsc::channel(config.inbox);
    tokio::spawn(run(swarm, topic, peers, config.redial, config.max_message_bytes, rx, status, heard));
    Ok((commands, status_rx, heard_rx))
}

/// Runs the swarm until every handle is dropped.
#[allow(clippy::too_many_arguments)]
async fn run(
    mut swarm: Swarm<gossipsub::Behaviour>,
    topic: IdentTopic,
    peers: Vec<Multiaddr>,
    redial: Duration,
    cap: usize,
    mut commands: mpsc::Receiver<Command>,
    status: watch::Sender<Status>,
    heard: mpsc::Sender<Heard>,
) {
    let mut redial_tick = tokio::time::interval(redial);
    // Configured peers we hold a connection to, by the address dialled.
    let mut connected: HashSet<Multiaddr> = HashSet::new();
    loop {
        tokio::select! {
            _ = redial_tick.tick() => {
                for addr in peers.iter().filter(|a| !connected.contains(*a)) {
                    if let Err(e) = swarm.dial(addr.clone()) {
                        tracing::debug!(peer = %addr, "cannot dial peer: {e}");
                    }
                }
            }
            command = commands.recv() => match command {
                Some(Command::Publish(data, done)) => {
                    let size = data.len();
                    // Too large here means the framing pushed it over the cap.
                    let result = swarm.behaviour_mut().publish(topic.clone(), data).map(|_| ()).map_err(|e| match e {
                        gossipsub::PublishError::MessageTooLarge => P2pError::TooLarge { size, cap },
                        other => P2pError::NoPeers(other.to_string()),
                    });
                    let _ = done.send(result);
                }
                Some(Command::Dial(found, done)) => {
                    let _ = done.send(dial_found(&mut swarm, &found));
                }
                None => return,
            },
            event = swarm.select_next_some() => match event {
                SwarmEvent::Behaviour(gossipsub::Event::Message { propagation_source, message, .. }) => {
                    let from = propagation_source.to_string();
                    if heard.try_send(Heard { data: message.data, from }).is_err() {
                        tracing::warn!("gossip inbox full: dropped a message (peers send it again)");
                    }
                }
                SwarmEvent::Behaviour(gossipsub::Event::Subscribed { .. } | gossipsub::Event::Unsubscribed { .. }) => {
                    let n = topic_peers(&swarm, &topic);
                    status.send_modify(|s| s.topic_peers = n);
                }
                SwarmEvent::NewListenAddr { address, .. } => {
                    tracing::info!(%address, "gossip listening");
                    status.send_modify(|s| s.listening.push(address.to_string()));
                }
                SwarmEvent::ConnectionEstablished { endpoint, .. } => {
                    connected.insert(endpoint.get_remote_address().clone());
                }
                SwarmEvent::ConnectionClosed { endpoint, num_established: 0, .. } => {
                    connected.remove(endpoint.get_remote_address());
                    let n = topic_peers(&swarm, &topic);
                    status.send_modify(|s| s.topic_peers = n);
                }
                _ => {}
            },
        }
    }
}

/// Dials what [`crate::dialable`] keeps of `found`; how many dials started.
fn dial_found(swarm: &mut Swarm<gossipsub::Behaviour>, found: &[String]) -> usize {
    let connected = swarm.connected_peers().copied().collect();
    let own = *swarm.local_peer_id();
    let mut dialled = 0;
    for (peer, addr) in crate::dialable(found, &own, &connected, MAX_DIALS_PER_ROUND) {
        match swarm.dial(DialOpts::peer_id(peer).addresses(vec![addr.clone()]).build()) {
            Ok(()) => dialled += 1,
            Err(e) => tracing::debug!(peer = %addr, "cannot dial a peer found on chain: {e}"),
        }
    }
    dialled
}

/// Peers that currently hear `topic`.
fn topic_peers(swarm: &Swarm<gossipsub::Behaviour>, topic: &IdentTopic) -> usize {
    swarm.behaviour().all_peers().filter(|(_, topics)| topics.contains(&&topic.hash())).count()
}
